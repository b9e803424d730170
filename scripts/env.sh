# Sourced by every entry point: one environment for the lab, the main job and
# the tests, all inside the project folder (nothing in the user's home).
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TOOLS=$ROOT/.tools
BUILD=$ROOT/build
case ":$PATH:" in
  *":$TOOLS/bin:"*) ;; # sourced twice
  *) export PATH="$TOOLS/bin:$TOOLS/venv/bin:$(go env GOROOT)/bin:$PATH" ;;
esac
# Jupyter reads kernels, settings and config from the project, not ~/.jupyter.
export JUPYTER_DATA_DIR="$TOOLS/jupyter/data"
export JUPYTER_CONFIG_DIR="$TOOLS/jupyter/config"
export JUPYTER_PLATFORM_DIRS=1
# Fashion-MNIST as the set-up unpacked it, unless the user names another copy.
if [ -z "${FASHION_MNIST_DIR:-}" ] && [ -d "$TOOLS/datasets/usr/share/datasets/fashion-mnist" ]; then
  export FASHION_MNIST_DIR="$TOOLS/datasets/usr/share/datasets/fashion-mnist"
fi
# A font with Chinese glyphs for the PNG copies of charts, as the set-up
# unpacked it.
if [ -z "${WORKBOOK_CJK_FONT:-}" ] && [ -s "$TOOLS/datasets/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf" ]; then
  export WORKBOOK_CJK_FONT="$TOOLS/datasets/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
fi
# XLA's CPU plugin as the set-up installed it; GoMLX must never try to
# download one at run time.
export PJRT_PLUGIN_LIBRARY_PATH="${PJRT_PLUGIN_LIBRARY_PATH:-$TOOLS/pjrt}"
export GOMLX_NO_AUTO_INSTALL=1
# Trained models the notebooks pass from cell to cell (quick mode: quick/).
export WORKBOOK_CHECKPOINTS="${WORKBOOK_CHECKPOINTS:-$BUILD/checkpoints}"
# GoNB leaves gonb_* folders in TMPDIR, and an interrupted go build its
# go-build* folders: keep them in the build folder, under a name starting with
# a dot, which `go vet ./...` and `go test ./...` never descend into.
export TMPDIR="$BUILD/.tmp"
mkdir -p "$TMPDIR"
