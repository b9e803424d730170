#!/usr/bin/env bash
# The set-up's step 4: XLA's CPU PJRT plugin, installed into DIR (the set-up
# passes .tools/pjrt, where env.sh points PJRT_PLUGIN_LIBRARY_PATH) from the
# first source that works on this platform, in the order scripts/pjrt-source.sh
# gives (Linux x86-64: PyPI, then go-xla's installer; Linux arm64, macOS arm64,
# Windows x86-64: go-xla's installer; elsewhere none). It says which source it
# used and why. Without any, it leaves a note and succeeds: the notebooks then
# run on GoMLX's pure-Go backend.
#
#   scripts/pjrt-install.sh DIR
#
# Safe to rerun: DIR/.stamp records what is installed (for PyPI, the hash of
# requirements-pjrt.txt, as before go-xla's installer was added), and a plugin
# from any of this platform's sources is kept. A source that fails is tried
# again at the next run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
dir=${1:?usage: scripts/pjrt-install.sh DIR}
hash_of() { cat "$@" | sha256sum | cut -c1-16; }
choice=$(scripts/pjrt-source.sh)
sources=$(sed -n 1p <<<"$choice")
why=$(sed -n 2p <<<"$choice")

want_pypi=$(hash_of requirements-pjrt.txt)
want_goxla="goxla $(hash_of scripts/goxla-installer/go.mod scripts/goxla-installer/go.sum scripts/goxla-installer/main.go)"
have=$(cat "$dir/.stamp" 2>/dev/null || true)
for src in $sources; do
  case $src in
    pypi) [ "$have" != "$want_pypi" ] || exit 0 ;;
    goxla) [ "$have" != "$want_goxla" ] || exit 0 ;;
  esac
done

new="$dir.new"
from_pypi() { # the wheel's .so only
  echo "setup: fetching XLA's CPU PJRT plugin from PyPI (lammps-jax-pjrt-cpu, 63 MB)"
  local tmp; tmp=$(mktemp -d)
  "$TOOLS/venv/bin/pip" download --quiet --disable-pip-version-check --no-deps --require-hashes \
    --only-binary=:all: -r requirements-pjrt.txt -d "$tmp"
  "$TOOLS/venv/bin/python" -m zipfile -e "$tmp"/lammps_jax_pjrt_cpu-*.whl "$tmp/whl"
  mv "$tmp/whl/lammps_jax_pjrt_cpu/pjrt_c_api_cpu_plugin.so" "$new/"
  rm -rf "$tmp"
}
from_goxla() { # go-xla v0.4.5's installer, built from its pinned module
  echo "setup: fetching XLA's CPU PJRT plugin with go-xla's installer (GitHub: gomlx/pjrt-cpu-binaries)"
  (cd scripts/goxla-installer && go run . -dir "$new")
}

tried=""
for src in $sources; do
  [ "$src" != none ] || break
  rm -rf "$new" && mkdir -p "$new"
  set +e
  (set -e; "from_$src")
  rc=$?
  set -e
  if [ "$rc" = 0 ]; then
    rm -f "$new"/*.lock
    rm -rf "$dir" && mv "$new" "$dir"
    if [ "$src" = pypi ]; then echo "$want_pypi" > "$dir/.stamp"; else echo "$want_goxla" > "$dir/.stamp"; fi
    echo "setup: XLA's CPU plugin installed into ${dir#"$ROOT"/} from $src ($why)"
    exit 0
  fi
  echo "setup: note: $src failed (exit $rc)"
  tried="$tried $src"
  rm -rf "$new"
done

if compgen -G "$dir/pjrt_c_api_cpu*" >/dev/null; then
  echo "setup: note: XLA's CPU plugin was not updated (${tried:+tried:$tried; }$why); the one already in ${dir#"$ROOT"/} stays"
elif [ -z "$tried" ]; then
  echo "setup: note: no XLA CPU plugin: $why"
else
  echo "setup: note: no XLA CPU plugin: tried$tried, none worked ($why); the notebooks will use GoMLX's pure-Go backend"
fi
