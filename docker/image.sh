#!/usr/bin/env bash
# The steps of both images (docker/Dockerfile.cpu, docker/Dockerfile.cuda), so
# that the CPU image the tests build and run (tests/docker/image.test.sh) does
# what the GPU image does. Each Dockerfile runs them in this order, one layer
# each, the project's own files coming as late as possible: editing a notebook
# rebuilds only the last layer, editing mnistlib the last two.
#
#   image.sh system   root:    Debian/Ubuntu packages, the user learner
#   image.sh setup    learner: scripts/setup.sh, and the Go modules notebooks use
#   image.sh cuda     learner: XLA's CUDA plugin and NVIDIA's libraries (GPU image)
#   image.sh warm     learner: notebook 01 once: Go build cache and MNIST cache
#
# What each step downloads and does not need at run time is removed in the same
# step (apt lists, pip's cache, the sources and objects gonb, goimports and gopls
# were built from, module zips). What stays and why is in docs/docker.md.
#
# Machines whose network intercepts TLS pass their extra CA certificates as the
# build secret extra_ca (podman/docker build --secret id=extra_ca,src=FILE): a
# step trusts them while it runs, and they never reach the image.
set -euo pipefail
step=${1:?usage: image.sh system|setup|cuda|warm}

if [ -s /run/secrets/extra_ca ]; then
  bundle=$(mktemp)
  trap 'rm -f "$bundle"' EXIT
  cat /etc/ssl/certs/ca-certificates.crt /run/secrets/extra_ca >"$bundle" 2>/dev/null || cat /run/secrets/extra_ca >"$bundle"
  export SSL_CERT_FILE=$bundle PIP_CERT=$bundle REQUESTS_CA_BUNDLE=$bundle CURL_CA_BUNDLE=$bundle GIT_SSL_CAINFO=$bundle
fi
export PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
workbook=/home/learner/workbook

case $step in
system)
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Python for JupyterLab (3.11 or newer), make, and a C compiler for cgo (go-xla).
  apt-get install -y -qq --no-install-recommends python3 python3-venv make gcc libc6-dev git ca-certificates >/dev/null
  # What the workbook uses when present: Fashion-MNIST and a font with Chinese
  # glyphs. Installed as packages, setup.sh finds them and fetches nothing.
  for p in dataset-fashion-mnist fonts-droid-fallback; do
    apt-get install -y -qq --no-install-recommends "$p" >/dev/null || echo "image: note: no package $p here"
  done
  apt-get clean
  rm -rf /var/lib/apt/lists/* /var/log/apt /var/log/dpkg.log /var/cache/debconf/*-old
  # uid 1000 for learner (Ubuntu's images have a user "ubuntu" there).
  if getent passwd 1000 >/dev/null && [ "$(getent passwd 1000 | cut -d: -f1)" != learner ]; then
    userdel --remove "$(getent passwd 1000 | cut -d: -f1)" 2>/dev/null || true
  fi
  useradd --create-home --uid 1000 --shell /bin/bash learner
  install -d -o learner -g learner "$workbook" /home/learner/work
  ;;

setup)
  cd "$workbook"
  # gonb, goimports and gopls are built with caches of their own, thrown away
  # after: their sources and object files are not needed to run them.
  tmp=$(mktemp -d)
  GOMODCACHE=$tmp/mod GOCACHE=$tmp/build GOFLAGS="${GOFLAGS:-} -modcacherw" scripts/setup.sh
  chmod -R u+w "$tmp" && rm -rf "$tmp"
  # The modules notebooks compile against: every module of the project's
  # module graph, so that a notebook importing any of them needs no network.
  # The zips go: Go builds from the unpacked copies and checks them against
  # the hashes it recorded (.ziphash).
  go mod download
  find "$(go env GOMODCACHE)/cache/download" -name '*.zip' -delete
  rm -rf build "$HOME/.cache/pip"
  ;;

cuda)
  # go-xla finds the CUDA plugin in the first folder of PJRT_PLUGIN_LIBRARY_PATH
  # (and NVIDIA's libraries in ../nvidia from there), as bench/gpu.sh finds them.
  python3 -m venv /home/learner/cuda
  /home/learner/cuda/bin/pip install --quiet "jax-cuda13-pjrt==0.11.2" "jax-cuda13-plugin[with-cuda]==0.11.2"
  site=$(/home/learner/cuda/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  mkdir -p /home/learner/cuda/lib/go-xla
  ln -s "$(ls "$site"/jax_plugins/xla_cuda*/xla_cuda_plugin.so | head -1)" /home/learner/cuda/lib/go-xla/pjrt_c_api_cuda_plugin.so
  ln -s "$site/nvidia" /home/learner/cuda/lib/nvidia
  find /home/learner/cuda -name __pycache__ -prune -exec rm -rf {} +
  ;;

warm)
  # Notebook 01 once, in quick mode, as GoNB runs it: the Go build cache gets
  # every package the notebooks compile (GoMLX, go-xla, mnistlib: a first cell
  # then takes seconds instead of minutes), and the MNIST cache its checked
  # copy (fetched from the Go module proxy, so the lab needs no network).
  cd "$workbook"
  out=$(mktemp -d)
  WORKBOOK_QUICK=1 bash -c 'source scripts/env.sh && jupyter nbconvert --to notebook --execute \
    --ExecutePreprocessor.timeout=900 --output-dir "$1" notebooks/01_load_data.ipynb' _ "$out"
  rm -rf "$out" build "$HOME/.cache/gopls" "$HOME/.config/go/telemetry"
  find "$(go env GOMODCACHE)/cache/download" -name '*.zip' -delete
  ;;

*) echo "image.sh: unknown step $step" >&2; exit 2 ;;
esac
