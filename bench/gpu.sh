#!/usr/bin/env bash
# Trains the tutorial's MLP and CNN (10 epochs each) on an NVIDIA GPU through
# XLA's CUDA PJRT plugin as pip installs it (jax-cuda13-pjrt with NVIDIA's CUDA
# 13 wheels; jax-cuda12-pjrt works the same), and writes a results file. The
# GPU machine needs neither Go nor network: it runs the pack that
# bench/gpu-pack.sh built on a machine with Go.
#
#   bench/gpu-pack.sh                      # here: build/gpu (bench binary + MNIST)
#   bench/gpu.sh [PACK [RESULTS]]          # there: defaults build/gpu, then $OUT or build/gpu-results
#   bench/gpu.sh --cpu-dry-run [PACK [RESULTS]]   # the same steps on XLA's CPU plugin, no GPU needed
#
# RESULTS gets: results.md (the table, and the goal: the CNN's 10 epochs, data
# feed and validation included, in under 5 s on an H100), results.jsonl (one
# line per model: the bench's -child JSON plus PeakMiB and WallSeconds),
# env.txt (GPU, driver, plugin and its version), MODEL.log (each run's
# stderr) and gpu-samples.csv (nvidia-smi every 250 ms: utilization, memory).
#
# Without a GPU it stops at once (exit 2), saying so, before anything starts;
# every run is bounded by `timeout` (RUN_TIMEOUT s, default 150), so a hung
# plugin costs at most that. Settings: EPOCHS (10), MODELS ("mlp cnn"),
# PYTHON (python3), CUDA_PJRT_PLUGIN (the plugin's path, if pip put it where
# this script does not look), GPU_BACKEND (xla:cuda).
set -euo pipefail
t_start=$(date +%s.%N)
dry=0
if [ "${1:-}" = --cpu-dry-run ]; then dry=1; shift; fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pack=$(cd "${1:-$here/build/gpu}" 2>/dev/null && pwd) || { echo "gpu.sh: no pack at ${1:-$here/build/gpu}: run bench/gpu-pack.sh on a machine with Go, and carry build/gpu" >&2; exit 1; }
res=${2:-${OUT:-$here/build/gpu-results}}
mkdir -p "$res" && res=$(cd "$res" && pwd)
epochs=${EPOCHS:-10}
models=${MODELS:-mlp cnn}
run_timeout=${RUN_TIMEOUT:-150}
py=${PYTHON:-python3}
command -v "$py" >/dev/null || py=""

fail() { # exit code, message: to stderr and to results.md
  echo "gpu.sh: $2" >&2
  printf '# GPU bench: FAILED\n\n%s\n' "$2" > "$res/results.md"
  exit "$1"
}

[ -x "$pack/bench" ] || fail 1 "no bench binary in $pack: run bench/gpu-pack.sh on a machine with Go, and carry its folder"
compgen -G "$pack/mnist/*.gz" >/dev/null || compgen -G "$pack/mnist/*.npz" >/dev/null || fail 1 "no MNIST files in $pack/mnist: run bench/gpu-pack.sh again"
[ -f "$pack/MANIFEST" ] && cp "$pack/MANIFEST" "$res/MANIFEST"
# The binary was linked here against glibc; it needs at least the version
# gpu-pack.sh recorded (2.34 with Go 1.26 on Debian 12).
need=$(sed -n 's/^needs: GLIBC_\([0-9.]*\).*/\1/p' "$pack/MANIFEST" 2>/dev/null || true)
have=$(ldd --version 2>/dev/null | sed -n '1s/.* \([0-9][0-9]*\.[0-9][0-9]*\)$/\1/p' || true)
if [ -n "$need" ] && [ -n "$have" ] && [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -1)" != "$need" ]; then
  fail 1 "this machine's glibc is $have; the bench binary needs $need: build the pack on an older system (or in a container of the device's image)"
fi

# 1. A GPU: an NVIDIA device node, or nvidia-smi listing one (what go-xla
# itself checks before it will load a CUDA plugin).
if [ "$dry" = 0 ]; then
  devs=$(ls /dev/nvidia[0-9]* 2>/dev/null | paste -sd' ' || true)
  smi=""
  if command -v nvidia-smi >/dev/null; then
    smi=$(timeout 20 nvidia-smi -L 2>&1 || true)
  fi
  if [ -z "$devs" ] && ! grep -q '^GPU [0-9]' <<<"$smi"; then
    why="no /dev/nvidia0 (or other) device"
    if command -v nvidia-smi >/dev/null; then why="$why, and nvidia-smi -L lists no GPU (${smi:-no output})"; else why="$why, and no nvidia-smi"; fi
    fail 2 "no GPU: $why. This bench needs an NVIDIA GPU: run it on the device machine (bench/RESULTS.md, GPU section)."
  fi
fi

# 2. The CUDA plugin where pip put it: SITE/jax_plugins/xla_cuda13/xla_cuda_plugin.so,
# with NVIDIA's libraries in SITE/nvidia/*/lib.
tmp=$(mktemp -d)
sampler=""
cleanup() { if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null || true; fi; rm -rf "$tmp"; }
trap cleanup EXIT
export MNIST_DIR="$pack/mnist" MNIST_CACHE="$tmp/cache" GOMLX_NO_AUTO_INSTALL=1
if [ "$dry" = 1 ]; then
  # Only the steps after the GPU's: XLA's CPU plugin from the set-up.
  export PJRT_PLUGIN_LIBRARY_PATH=${PJRT_PLUGIN_LIBRARY_PATH:-$here/.tools/pjrt}
  export GOMLX_BACKEND=xla:cpu
  plugin="$PJRT_PLUGIN_LIBRARY_PATH (cpu dry run)"
else
  plugin=${CUDA_PJRT_PLUGIN:-}
  if [ -z "$plugin" ] && [ -n "$py" ]; then
    plugin=$(timeout 60 "$py" - <<'PY' || true
import glob, os, site, sys, sysconfig
dirs = [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
dirs += getattr(site, "getsitepackages", lambda: [])() + [site.getusersitepackages()] + sys.path
for d in dict.fromkeys(d for d in dirs if d and os.path.isdir(d)):
    found = sorted(glob.glob(os.path.join(d, "jax_plugins", "xla_cuda*", "xla_cuda_plugin.so")), reverse=True)
    if found:  # xla_cuda13 before xla_cuda12
        print(found[0])
        break
PY
)
  fi
  if [ -z "$plugin" ]; then # no Python: where pip puts packages on Debian and Ubuntu
    plugin=$(ls -d /usr/local/lib/python3*/dist-packages/jax_plugins/xla_cuda*/xla_cuda_plugin.so \
      /usr/lib/python3/dist-packages/jax_plugins/xla_cuda*/xla_cuda_plugin.so \
      "$HOME"/.local/lib/python3*/site-packages/jax_plugins/xla_cuda*/xla_cuda_plugin.so 2>/dev/null | sort -r | head -1 || true)
  fi
  if [ -z "$plugin" ]; then # a venv off the PATH: look everywhere, briefly
    plugin=$(timeout 30 find / \( -path /proc -o -path /sys -o -path /dev \) -prune -o \
      -path '*/jax_plugins/xla_cuda*/xla_cuda_plugin.so' -print 2>/dev/null | sort -r | head -1 || true)
  fi
  [ -n "$plugin" ] && [ -f "$plugin" ] || fail 3 "no CUDA PJRT plugin (jax_plugins/xla_cuda*/xla_cuda_plugin.so) in ${py:-python3 (not found)}'s site-packages nor anywhere else on this machine: pip install jax-cuda13-pjrt 'jax-cuda13-plugin[with-cuda]', or set CUDA_PJRT_PLUGIN"
  site=$(dirname "$(dirname "$(dirname "$plugin")")")
  # go-xla v0.4.5 loads plugins named pjrt_c_api_<name>_plugin.so from
  # PJRT_PLUGIN_LIBRARY_PATH ("cuda" here), and points XLA at ../nvidia from
  # that folder unless XLA_FLAGS already names --xla_gpu_cuda_data_dir.
  mkdir -p "$tmp/lib/go-xla"
  ln -s "$plugin" "$tmp/lib/go-xla/pjrt_c_api_cuda_plugin.so"
  [ -d "$site/nvidia" ] && ln -s "$site/nvidia" "$tmp/lib/nvidia"
  nvlibs=$(ls -d "$site"/nvidia/*/lib 2>/dev/null | paste -sd: || true)
  export LD_LIBRARY_PATH="${nvlibs}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  # ptxas and libdevice: CUDA 13's wheels put them in nvidia/cu13/{bin,nvvm},
  # CUDA 12's in nvidia/cuda_nvcc/{bin,nvvm}; XLA wants their common root.
  ptxas=$(ls "$site"/nvidia/*/bin/ptxas 2>/dev/null | sort -r | head -1 || true)
  if [ -n "$ptxas" ]; then
    cuda_root=$(dirname "$(dirname "$ptxas")")
    export PATH="$cuda_root/bin:$PATH"
    case "${XLA_FLAGS:-}" in *xla_gpu_cuda_data_dir*) ;; *) export XLA_FLAGS="${XLA_FLAGS:+$XLA_FLAGS }--xla_gpu_cuda_data_dir=$cuda_root" ;; esac
  fi
  export PJRT_PLUGIN_LIBRARY_PATH="$tmp/lib/go-xla"
  export GOMLX_BACKEND=${GPU_BACKEND:-xla:cuda}
fi

# 3. What ran where, for the record.
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "host: $(uname -srm); $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"); $(ldd --version 2>/dev/null | head -1)"
  echo "cpu: $(nproc) × $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  if [ "$dry" = 0 ]; then
    timeout 20 nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader 2>/dev/null | sed 's/^/gpu: /' || echo "gpu: $devs"
  fi
  echo "plugin: $plugin"
  [ -n "$py" ] && [ "$dry" = 0 ] && timeout 30 "$py" -c 'import importlib.metadata as m, sys
for p in ("jax-cuda13-pjrt", "jax-cuda12-pjrt", "jax-cuda13-plugin", "nvidia-cuda-runtime", "nvidia-cudnn-cu13"):
    try: print("package:", p, m.version(p))
    except Exception: pass
print("python:", sys.version.split()[0])' 2>/dev/null || true
  echo "backend: $GOMLX_BACKEND; XLA_FLAGS=${XLA_FLAGS:-}"
  echo "LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"
} > "$res/env.txt"
cat "$res/env.txt" >&2

# 4. The runs: each model in its own process (as the bench's parent does),
# under timeout, with its peak host memory measured by a Python wrapper.
if [ "$dry" = 0 ] && command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv,nounits -lms 250 > "$res/gpu-samples.csv" 2>/dev/null &
  sampler=$!
fi
: > "$res/results.jsonl"
failed=""
for m in $models; do
  echo "== $m: $epochs epochs on $GOMLX_BACKEND (timeout ${run_timeout}s)" >&2
  cmd=("$pack/bench" -child="$m" -epochs="$epochs")
  [ -n "$py" ] && cmd=("$py" "$here/bench/peakmem.py" "${cmd[@]}")
  rc=0
  timeout -k 10 "$run_timeout" "${cmd[@]}" > "$tmp/$m.json" 2> "$res/$m.log" || rc=$?
  if [ "$rc" = 0 ]; then
    cat "$tmp/$m.json" >> "$res/results.jsonl"
    continue
  fi
  case $rc in 124|137) failed="$m timed out after ${run_timeout}s" ;; *) failed="$m failed (exit $rc)" ;; esac
  echo "gpu.sh: $failed; the end of $m.log:" >&2
  tail -20 "$res/$m.log" >&2
  break # the next model would fail the same way: keep the device's time
done
if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; sampler=""; fi

# 5. The table.
total=$(awk -v s="$t_start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }')
{
  echo "# GPU bench$([ "$dry" = 1 ] && echo ' (CPU dry run)')${failed:+: FAILED ($failed)}"
  echo
  echo '```'
  cat "$res/env.txt"
  echo '```'
  echo
  if [ -n "$py" ] && [ -s "$res/results.jsonl" ]; then
    "$py" - "$res/results.jsonl" "$res/gpu-samples.csv" <<'PY'
import csv, json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print("| model | epochs | whole run: all epochs (s) | first epoch, compiling (s) | s/epoch (median of epochs 2..N) | test accuracy | data feed | peak host memory | process wall (s) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    e = r["Epochs"]
    print(f"| {r['Model']} | {len(e)} | {sum(e):.2f} | {e[0]:.2f} | {r['SecondsPerEpoch']:.3f} | {r['TestAccuracy']:.4f} | "
          f"{100 * r['FeedShare']:.1f}% | {r.get('PeakMiB', 0):.0f} MiB | {r.get('WallSeconds', 0):.1f} |")
print()
for r in rows:
    if r["Model"] == "cnn" and len(r["Epochs"]) == 10:
        t = sum(r["Epochs"])
        print(f"Goal (H100): the CNN's 10 epochs, data feed and validation included, under 5 s: {t:.2f} s, {'met' if t < 5 else 'not met'}.")
try:
    s = [x for x in csv.reader(open(sys.argv[2])) if x and x[0][:1].isdigit()]
    if s:
        print(f"GPU while training (nvidia-smi, every 250 ms): utilization up to {max(int(x[1]) for x in s)}%, "
              f"memory used up to {max(int(x[2]) for x in s)} MiB (XLA preallocates 75% of it by default).")
except (OSError, ValueError, IndexError):
    pass
PY
  elif [ -s "$res/results.jsonl" ]; then
    cat "$res/results.jsonl"
  fi
  if [ -n "$failed" ]; then
    echo
    echo "The end of ${failed%% *}.log:"
    echo
    echo '```'
    tail -20 "$res/${failed%% *}.log"
    echo '```'
  fi
  echo
  echo "Script time: ${total} s. Per-run logs: *.log; raw rows: results.jsonl."
} > "$res/results.md"
cat "$res/results.md"
[ -z "$failed" ] || exit 4
