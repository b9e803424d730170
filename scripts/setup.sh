#!/usr/bin/env bash
# Installs everything the workbook needs, from registries only, into .tools/:
# a Python venv with JupyterLab and nbconvert, the GoNB kernel with goimports
# and gopls, and the kernel's registration. Safe to rerun: finished steps
# are skipped (each leaves a stamp holding the hash of what it installed).
# With --browser (the tests), also what the browser test needs: step 7.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

stamp_ok() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }
hash_of() { cat "$@" | sha256sum | cut -c1-16; }

need() {
  command -v "$1" >/dev/null || { echo "setup: '$1' is not installed; $2" >&2; exit 1; }
}
need go "install Go 1.26 (https://go.dev/dl)"
need python3 "install Python 3.11 or newer"
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
  { echo "setup: Python 3.11 or newer is needed (python3 is $(python3 -V 2>&1))" >&2; exit 1; }

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

# 3. Debian packages the workbook can use, unpacked into .tools/datasets
# without installing them (no root needed where apt's package lists are
# present): Fashion-MNIST (dataset-fashion-mnist, optional; env.sh points
# FASHION_MNIST_DIR at it) and a font with Chinese glyphs for the PNG copies
# of charts (fonts-droid-fallback; env.sh points WORKBOOK_CJK_FONT at it, so
# charts look the same on every machine).
unpack_deb() { # package, a file it holds (relative to /), what it is for
  if [ -e "/$2" ] || [ -s "$TOOLS/datasets/$2" ] || ! command -v apt-get >/dev/null; then return 0; fi
  echo "setup: fetching $3 (Debian package $1)"
  local tmp; tmp=$(mktemp -d)
  get() { (cd "$tmp" && apt-get download -q "$1" >/dev/null 2>&1); }
  if get "$1" || { [ "$(id -u)" = 0 ] && apt-get update -qq >/dev/null 2>&1 && get "$1"; }; then
    dpkg-deb -x "$tmp"/"$1"_*.deb "$TOOLS/datasets"
  else
    echo "setup: note: $1 could not be fetched with apt-get; the workbook works without it"
  fi
  rm -rf "$tmp"
}
unpack_deb dataset-fashion-mnist usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz "Fashion-MNIST, 31 MB"
unpack_deb fonts-droid-fallback usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf "a font with Chinese glyphs, 2 MB"

# 4. XLA's CPU PJRT plugin, into .tools/pjrt, where env.sh points
# PJRT_PLUGIN_LIBRARY_PATH, from the source that exists for this platform
# (scripts/pjrt-source.sh chooses, scripts/pjrt-install.sh installs and says
# which and why): PyPI's wheel on Linux x86-64 (pinned by hash in
# requirements-pjrt.txt; only its .so is kept), go-xla v0.4.5's own installer
# (from GitHub) on Linux arm64, macOS arm64 and Windows x86-64 or when PyPI
# fails, else none (pure Go). Nothing is downloaded at run time:
# GOMLX_NO_AUTO_INSTALL keeps go-xla's auto-installer off.
scripts/pjrt-install.sh "$TOOLS/pjrt"

# 5. The kernel, registered in the project's Jupyter data folder, with the
# environment it needs (env.sh again: steps 3 and 4 may have added to it),
# the PATH to find go, goimports and gopls however Jupyter is started. Jupyter
# starts gonb through scripts/gonb_kernel.py, which works around GoNB
# v0.11.5's shutdown bugs (a panic, and gopls left running; see that file).
source scripts/env.sh
kernel="$JUPYTER_DATA_DIR/kernels/gonb/kernel.json"
want=$(hash_of "$TOOLS/bin/.stamp" scripts/env.sh <(echo "${WORKBOOK_CJK_FONT:-} launcher: scripts/gonb_kernel.py"))
if ! stamp_ok "$kernel.stamp" "$want"; then
  echo "setup: registering the GoNB kernel in $JUPYTER_DATA_DIR"
  gonb --install --logtostderr=false >/dev/null
  "$TOOLS/venv/bin/python" - "$kernel" "$PATH" "$PJRT_PLUGIN_LIBRARY_PATH" "${WORKBOOK_CJK_FONT:-}" \
    "$TOOLS/venv/bin/python" "$ROOT/scripts/gonb_kernel.py" <<'PY'
import json, sys
path, env_path = sys.argv[1], sys.argv[2]
spec = json.load(open(path))
spec["argv"] = sys.argv[5:7] + spec["argv"]  # python gonb_kernel.py /…/gonb --kernel {connection_file} …
spec["env"] = {"PATH": env_path, "PJRT_PLUGIN_LIBRARY_PATH": sys.argv[3], "GOMLX_NO_AUTO_INSTALL": "1"}
if sys.argv[4]:
    spec["env"]["WORKBOOK_CJK_FONT"] = sys.argv[4]
spec["display_name"] = "Go (gonb)"
json.dump(spec, open(path, "w"), indent=1)
PY
  echo "$want" > "$kernel.stamp"
fi

# 6. JupyterLab's settings for an offline workbook: no news feed prompt and no
# update check (both reach for the internet).
settings="$TOOLS/venv/share/jupyter/lab/settings"
mkdir -p "$settings"
cat > "$settings/overrides.json" <<'JSON'
{
  "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}
}
JSON
# The kernel's status: GoNB's only status messages after JupyterLab connects
# answer its kernel_info_request, and JupyterLab ignores status messages whose
# request is in the server's untracked_message_types, so the status bar said
# "Unknown" until a first cell ran. Tracking kernel_info_request fixes that.
#
# HTML exports that stand alone: nbconvert's default "lab" template makes every
# export load require.js, MathJax and mermaid from a CDN when opened. The
# template in scripts/nbconvert/offline (which the main job uses) drops those
# scripts; this makes it the template of JupyterLab's File > Save and Export
# Notebook As > HTML too (the server's nbconvert handler builds its exporter
# from the server's config), with images in markdown cells embedded.
# HTMLExporter's settings also reach its subclasses, so the slides and WebPDF
# exporters get their own templates back explicitly.
"$TOOLS/venv/bin/python" - "$JUPYTER_CONFIG_DIR/jupyter_server_config.json" "$ROOT/scripts/nbconvert" <<'PY'
import json, os, sys
from jupyter_server.services.kernels.kernelmanager import MappingKernelManager
untracked = [t for t in MappingKernelManager.untracked_message_types.default() if t != "kernel_info_request"]
os.makedirs(os.path.dirname(sys.argv[1]), exist_ok=True)
json.dump({
    "MappingKernelManager": {"untracked_message_types": untracked},
    "HTMLExporter": {"template_name": "offline", "extra_template_basedirs": [sys.argv[2]], "embed_images": True},
    "SlidesExporter": {"template_name": "reveal"},
    "WebPDFExporter": {"template_name": "webpdf"},
}, open(sys.argv[1], "w"), indent=1)
PY

# 7. For the browser test (tests/browser), with --browser only: Debian's
# Chromium and playwright-core from npm at the version package-lock.json pins.
# Playwright's own browser download is never used: it needs the internet
# beyond the registries.
if [ "${1:-}" = --browser ]; then
  need node "install Node.js 20 or newer"
  need npm "install npm (it comes with Node.js)"
  if ! command -v "${CHROMIUM:-chromium}" >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "setup: installing Debian's chromium (about 100 MB)"
      apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
    else
      need "${CHROMIUM:-chromium}" "install Debian's package (sudo apt-get install chromium), or set CHROMIUM to a Chromium or Chrome"
    fi
  fi
  want=$(hash_of tests/browser/package-lock.json)
  if ! stamp_ok tests/browser/node_modules/.stamp "$want"; then
    echo "setup: installing playwright-core into tests/browser/node_modules"
    (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > tests/browser/node_modules/.stamp
  fi
fi

echo "setup: ready (tools in .tools/, kernel: $(jupyter kernelspec list | grep -o 'gonb.*' | head -1))"
