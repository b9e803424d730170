#!/usr/bin/env bash
# Opens JupyterLab on the workbook, always with a fresh random token (printed
# in the URL below). It listens on 127.0.0.1 unless LAB_IP says otherwise (the
# Docker images set 0.0.0.0, inside the container only). LAB_PORT picks the
# port (default 8888), LAB_ROOT the folder it shows (default notebooks/).
set -euo pipefail
"$(dirname "${BASH_SOURCE[0]}")/setup.sh"
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "${LAB_ROOT:-$ROOT/notebooks}"
if [ "$(id -u)" = 0 ] && [[ " $* " != *" --allow-root "* ]]; then
  echo "lab: JupyterLab refuses to run as root. Run it as an ordinary user; if you must (a throwaway" >&2
  echo "     machine or container), say so explicitly: scripts/lab.sh --allow-root" >&2
  exit 1
fi
exec jupyter lab --no-browser --ServerApp.ip="${LAB_IP:-127.0.0.1}" --ServerApp.port="${LAB_PORT:-8888}" "$@"
