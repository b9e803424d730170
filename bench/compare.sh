#!/usr/bin/env bash
# Side by side on this machine, one after the other: the tutorial's MLP and CNN
# and notebook 08's two-block CNN in GoMLX (pure Go, and XLA on the CPU; the
# two-block CNN on XLA only), Keras 3 (JAX backend) and PyTorch, all on the CPU
# with the same data, batch 200 and validation split 0.2; and the CNN with
# notebook 10's augmentation in GoMLX.
#
#   bench/compare.sh [EPOCHS]      (default 3; seconds per epoch: median of epochs 2..N)
#
# Keras and PyTorch go into a bench-only venv, .tools/bench-venv, pinned in
# bench/requirements-bench.txt (PyPI; PyTorch's wheel brings NVIDIA's CUDA
# libraries as dependencies even for CPU use: about 3 GB).
set -euo pipefail
epochs=${1:-3}
"$(dirname "${BASH_SOURCE[0]}")/../scripts/setup.sh" >/dev/null
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "$ROOT"
venv="$TOOLS/bench-venv"
want=$(sha256sum bench/requirements-bench.txt | cut -c1-16)
if [ "$(cat "$venv/.stamp" 2>/dev/null)" != "$want" ]; then
  echo "compare: installing Keras, JAX and PyTorch into $venv (large; once)" >&2
  rm -rf "$venv" && python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r bench/requirements-bench.txt
  echo "$want" > "$venv/.stamp"
fi
go build -o "$BUILD/bench" ./bench
GOEXPERIMENT=simd go build -o "$BUILD/bench-simd" ./bench
# The Go bench fills the MNIST cache; Python reads the same files from it.
data="${MNIST_CACHE:-$HOME/.cache/mnistlib}/mnist"
results="$BUILD/compare.jsonl"
: > "$results"
# Each run goes through bench/peakmem.py, which adds its peak memory to its row.
measure() { python3 bench/peakmem.py "$@" >> "$results"; }
for model in mlp cnn deep-cnn; do
  if [ "$model" != deep-cnn ]; then # pure Go takes minutes per epoch of the deep CNN
    GOMLX_BACKEND=go measure "$BUILD/bench-simd" -child="$model" -epochs="$epochs"
  fi
  GOMLX_BACKEND=xla:cpu measure "$BUILD/bench" -child="$model" -epochs="$epochs"
  KERAS_BACKEND=jax measure "$venv/bin/python" bench/compare.py train keras "$model" "$epochs" "$data"
  measure "$venv/bin/python" bench/compare.py train torch "$model" "$epochs" "$data"
done
# Notebook 10's augmentation in GoMLX's feed (the others would need their own):
# the same arithmetic as the plain CNN, the feed's work on top.
GOMLX_BACKEND=xla:cpu measure "$BUILD/bench" -child=cnn -augment=nb10 -epochs="$epochs"
echo
echo "$epochs epochs, batch 200, 48,000 training rows; $(nproc) CPUs; $(lscpu | sed -n 's/^Model name: *//p')"
echo
"$venv/bin/python" bench/compare.py table < "$results"
