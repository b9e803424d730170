#!/usr/bin/env bash
# Opens JupyterLab on the workbook: on 127.0.0.1 only, with a fresh random
# token (printed in the URL below). LAB_PORT picks the port (default 8888).
set -euo pipefail
"$(dirname "${BASH_SOURCE[0]}")/setup.sh"
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT/notebooks"
exec jupyter lab --no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port="${LAB_PORT:-8888}" "$@"
