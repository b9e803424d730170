#!/usr/bin/env bash
# Packs, HERE (a machine with Go), everything bench/gpu.sh needs on a GPU
# machine that has neither Go nor network: the bench binary and the MNIST
# files, in one folder under build/ (git-ignored) small enough for the device
# tool to carry (64 MiB in all).
#
#   bench/gpu-pack.sh [DIR]        (default build/gpu)
#
# DIR/bench      the bench (go build of ./bench: go-xla's cgo code links only
#                glibc; no XLA inside, the CUDA plugin is found there at run time)
# DIR/mnist/     the four IDX .gz files (or Keras' mnist.npz), from $MNIST_DIR
#                or the cache (~/.cache/mnistlib/mnist), read there via MNIST_DIR
# DIR/MANIFEST   what was packed: commit, Go version, the newest glibc symbol
#                version the binary needs, sizes and SHA-256s
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/env.sh"
cd "$ROOT"
pack=${1:-$BUILD/gpu}
limit=$((60 * 1024 * 1024)) # the device tool carries 64 MiB in all

rm -rf "$pack" && mkdir -p "$pack/mnist"
# -trimpath -s -w: no local paths, no symbol tables (27 MB -> 19 MB). CGO
# stays on (go-xla's pjrt package is cgo); it needs libc.so.6 only.
go build -trimpath -ldflags="-s -w" -o "$pack/bench" ./bench

idx="train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz"
src=${MNIST_DIR:-${MNIST_CACHE:-$HOME/.cache/mnistlib}/mnist}
have() { for f in $idx; do [ -s "$src/$f" ] || return 1; done; }
if [ -z "${MNIST_DIR:-}" ] && ! have && [ ! -s "$src/mnist.npz" ]; then
  # An empty cache: mnistlib.LoadData fills it (a one-epoch MLP run on the CPU).
  echo "gpu-pack: filling the MNIST cache $src" >&2
  "$pack/bench" -child=mlp -epochs=1 >/dev/null
fi
if have; then
  for f in $idx; do cp "$src/$f" "$pack/mnist/"; done; chmod 644 "$pack"/mnist/*
elif [ -s "$src/mnist.npz" ]; then
  cp "$src/mnist.npz" "$pack/mnist/" && chmod 644 "$pack/mnist/mnist.npz"
else
  echo "gpu-pack: no MNIST in $src: need $idx (or mnist.npz)" >&2
  exit 1
fi

glibc=$(objdump -T "$pack/bench" 2>/dev/null | grep -o 'GLIBC_[0-9.]*' | sort -Vu | tail -1 || true)
size=$(du -sb "$pack" | cut -f1)
{
  echo "packed: $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -sm), $(go version | cut -d' ' -f3)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo none)$(git diff --quiet HEAD -- bench mnistlib go.mod go.sum 2>/dev/null || echo ' + uncommitted changes in bench/ mnistlib/ go.mod go.sum')"
  echo "needs: ${glibc:-GLIBC_? (objdump missing)} at most (glibc: Ubuntu 22.04 has 2.35, Debian 12 2.36, Ubuntu 24.04 2.39)"
  echo "dynamic: $(ldd "$pack/bench" 2>/dev/null | awk '{print $1}' | paste -sd' ' || true)"
  echo "size: $size bytes"
  (cd "$pack" && sha256sum bench mnist/*)
} > "$pack/MANIFEST"
cat "$pack/MANIFEST"
if [ "$size" -gt "$limit" ]; then
  echo "gpu-pack: $pack is $size bytes, over the $limit the device tool can carry" >&2
  exit 1
fi
echo "gpu-pack: ready: carry [\"${pack#"$ROOT"/}\"] and run bench/gpu.sh ${pack#"$ROOT"/} \"\$OUT\" there" >&2
