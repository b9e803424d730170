#!/usr/bin/env bash
# Trains the MLP and the CNN on an NVIDIA GPU through XLA's CUDA PJRT plugin,
# found where pip installs it (jax-cuda13-pjrt with NVIDIA's CUDA 13 wheels,
# or jax-cuda12-pjrt with CUDA 12), and prints the bench table.
#
#   go build -o build/bench ./bench          # on any amd64 machine with Go
#   MNIST_DIR=/path/to/mnist bench/gpu.sh build/bench 3
#
# The GPU machine needs neither Go nor network: carry the binary and a folder
# with the MNIST files (MNIST_DIR), e.g. a copy of ~/.cache/mnistlib/mnist.
set -euo pipefail
bin=${1:?usage: bench/gpu.sh BENCH_BINARY [EPOCHS]}
epochs=${2:-3}
py=${PYTHON:-python3}
site=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
plugin=$(ls "$site"/jax_plugins/xla_cuda*/xla_cuda_plugin.so 2>/dev/null | head -1 || true)
if [ -z "$plugin" ]; then
  echo "no CUDA PJRT plugin under $site/jax_plugins: pip install jax-cuda13-pjrt (or jax-cuda12-pjrt)" >&2
  exit 1
fi
# go-xla looks for pjrt_c_api_cuda_plugin.so in PJRT_PLUGIN_LIBRARY_PATH, and
# for NVIDIA's libraries in ../nvidia from there; pip puts them in site/nvidia.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/lib/go-xla"
ln -s "$plugin" "$tmp/lib/go-xla/pjrt_c_api_cuda_plugin.so"
[ -d "$site/nvidia" ] && ln -s "$site/nvidia" "$tmp/lib/nvidia"
nvlibs=$(ls -d "$site"/nvidia/*/lib 2>/dev/null | paste -sd: || true)
export PJRT_PLUGIN_LIBRARY_PATH="$tmp/lib/go-xla"
export LD_LIBRARY_PATH="${nvlibs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export GOMLX_BACKEND=xla:cuda GOMLX_NO_AUTO_INSTALL=1
echo "plugin: $plugin"
nvidia-smi -L 2>/dev/null || echo "nvidia-smi not found"
"$bin" -models=mlp,cnn -epochs="$epochs"
