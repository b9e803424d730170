#!/usr/bin/env bash
# Installs everything the workbook needs, from registries only, into .tools/:
# a Python venv with JupyterLab and nbconvert, the GoNB kernel with goimports
# and gopls, and the kernel's registration. Safe to rerun: finished steps
# are skipped (each leaves a stamp holding the hash of what it installed).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }
hash_of() { cat "$@" | sha256sum | cut -c1-16; }

need() {
  command -v "$1" >/dev/null || { echo "setup: '$1' is not installed; $2" >&2; exit 1; }
}
need go "install Go 1.26 (https://go.dev/dl)"
need python3 "install Python 3.10 or newer"

# 1. Python: JupyterLab 4 and nbconvert 7 in a project-local venv.
want=$(hash_of requirements.txt)
if ! stamp_ok "$TOOLS/venv/.stamp" "$want"; then
  echo "setup: installing JupyterLab and nbconvert into .tools/venv (about a minute)"
  rm -rf "$TOOLS/venv"
  python3 -m venv "$TOOLS/venv"
  "$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check -r requirements.txt
  echo "$want" > "$TOOLS/venv/.stamp"
fi

# 2. Go tools, at the versions pinned in go.mod (gonb, so that the kernel
# matches the gonbui package the notebooks import) and tools/go.mod.
want=$(hash_of go.mod go.sum tools/go.mod tools/go.sum)
if ! stamp_ok "$TOOLS/bin/.stamp" "$want"; then
  echo "setup: building gonb, goimports and gopls into .tools/bin (a few minutes the first time)"
  mkdir -p "$TOOLS/bin"
  GOBIN="$TOOLS/bin" go install tool
  (cd tools && GOBIN="$TOOLS/bin" go install tool)
  echo "$want" > "$TOOLS/bin/.stamp"
fi

# 3. The kernel, registered in the project's Jupyter data folder, with the
# PATH it needs to find go, goimports and gopls however Jupyter is started.
kernel="$JUPYTER_DATA_DIR/kernels/gonb/kernel.json"
want=$(hash_of "$TOOLS/bin/.stamp" scripts/env.sh)
if ! stamp_ok "$kernel.stamp" "$want"; then
  echo "setup: registering the GoNB kernel in $JUPYTER_DATA_DIR"
  gonb --install --logtostderr=false >/dev/null
  "$TOOLS/venv/bin/python" - "$kernel" "$PATH" "$PJRT_PLUGIN_LIBRARY_PATH" <<'PY'
import json, sys
path, env_path = sys.argv[1], sys.argv[2]
spec = json.load(open(path))
spec["env"] = {"PATH": env_path, "PJRT_PLUGIN_LIBRARY_PATH": sys.argv[3], "GOMLX_NO_AUTO_INSTALL": "1"}
spec["display_name"] = "Go (gonb)"
json.dump(spec, open(path, "w"), indent=1)
PY
  echo "$want" > "$kernel.stamp"
fi
# 4. Fashion-MNIST, optional: Debian's package dataset-fashion-mnist, unpacked
# into .tools/datasets without installing it (no root needed where apt's
# package lists are present). scripts/env.sh points FASHION_MNIST_DIR at it.
fashion="$TOOLS/datasets/usr/share/datasets/fashion-mnist"
if [ ! -d /usr/share/datasets/fashion-mnist ] && [ ! -s "$fashion/t10k-labels-idx1-ubyte.gz" ] && command -v apt-get >/dev/null; then
  echo "setup: fetching Fashion-MNIST (Debian package dataset-fashion-mnist, 31 MB)"
  tmp=$(mktemp -d)
  get() { (cd "$tmp" && apt-get download -q dataset-fashion-mnist >/dev/null 2>&1); }
  if get || { [ "$(id -u)" = 0 ] && apt-get update -qq >/dev/null 2>&1 && get; }; then
    dpkg-deb -x "$tmp"/dataset-fashion-mnist_*.deb "$TOOLS/datasets"
  else
    echo "setup: note: Fashion-MNIST could not be fetched with apt-get; MNIST works without it"
  fi
  rm -rf "$tmp"
fi

# 5. XLA's CPU PJRT plugin, from PyPI, pinned by hash (requirements-pjrt.txt):
# only its .so is kept, in .tools/pjrt, where env.sh points
# PJRT_PLUGIN_LIBRARY_PATH. (go-xla's own auto-installer downloads from GitHub,
# which is not reachable everywhere; GOMLX_NO_AUTO_INSTALL keeps it off.)
want=$(hash_of requirements-pjrt.txt)
if ! stamp_ok "$TOOLS/pjrt/.stamp" "$want"; then
  echo "setup: fetching XLA's CPU PJRT plugin (PyPI: lammps-jax-pjrt-cpu, 63 MB)"
  tmp=$(mktemp -d)
  "$TOOLS/venv/bin/pip" download --quiet --disable-pip-version-check --no-deps --require-hashes \
    --only-binary=:all: -r requirements-pjrt.txt -d "$tmp"
  rm -rf "$TOOLS/pjrt" && mkdir -p "$TOOLS/pjrt"
  "$TOOLS/venv/bin/python" -m zipfile -e "$tmp"/lammps_jax_pjrt_cpu-*.whl "$tmp/whl"
  mv "$tmp/whl/lammps_jax_pjrt_cpu/pjrt_c_api_cpu_plugin.so" "$TOOLS/pjrt/"
  rm -rf "$tmp"
  echo "$want" > "$TOOLS/pjrt/.stamp"
fi

echo "setup: ready (tools in .tools/, kernel: $(jupyter kernelspec list | grep -o 'gonb.*' | head -1))"
