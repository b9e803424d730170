#!/usr/bin/env bash
# Where XLA's CPU PJRT plugin can come from on a platform: the choice of
# scripts/pjrt-install.sh (the set-up's step 4), kept apart so that it can be
# tested for every platform on any machine (tests/pjrt-source.test.sh).
#
#   scripts/pjrt-source.sh [OS [ARCH]]       (default: uname -s, uname -m)
#
# Prints two lines: the sources to try, in order, then why.
#   pypi   PyPI's wheel lammps-jax-pjrt-cpu (requirements-pjrt.txt, pinned by
#          hash): XLA from jaxlib 0.11.2, built for Linux x86-64 only
#   goxla  go-xla v0.4.5's own installer (scripts/goxla-installer), from
#          GitHub's gomlx/pjrt-cpu-binaries: linux_amd64, linux_arm64,
#          darwin_arm64, windows_amd64 (installer.CPUSupportedPlatforms)
#   none   no plugin exists for the platform: the notebooks use pure Go
# PJRT_SOURCE=pypi|goxla|none forces one source.
set -euo pipefail
os=${1:-$(uname -s)}
arch=${2:-$(uname -m)}
case $os in
  Linux|linux) goos=linux ;;
  Darwin|darwin) goos=darwin ;;
  MINGW*|MSYS*|CYGWIN*|Windows_NT|windows) goos=windows ;; # Git Bash, MSYS2, Cygwin
  *) goos=$(tr '[:upper:]' '[:lower:]' <<<"$os") ;;
esac
case $arch in
  x86_64|amd64|AMD64) goarch=amd64 ;;
  aarch64|arm64|ARM64) goarch=arm64 ;;
  *) goarch=$arch ;;
esac
platform=${goos}_$goarch
goxla_platforms="linux_amd64 linux_arm64 darwin_arm64 windows_amd64"

if [ -n "${PJRT_SOURCE:-}" ]; then
  case $PJRT_SOURCE in
    pypi|goxla|none) echo "$PJRT_SOURCE"; echo "PJRT_SOURCE=$PJRT_SOURCE (set by you) on $platform" ;;
    *) echo "pjrt-source: PJRT_SOURCE must be pypi, goxla or none, not '$PJRT_SOURCE'" >&2; exit 2 ;;
  esac
  exit 0
fi
case " $goxla_platforms " in
  *" $platform "*) goxla=1 ;;
  *) goxla=0 ;;
esac
if [ "$platform" = linux_amd64 ]; then
  echo "pypi goxla"
  echo "$platform: PyPI's wheel (pinned by hash), else go-xla's installer (GitHub)"
elif [ "$goxla" = 1 ]; then
  echo "goxla"
  echo "$platform: PyPI's wheel is for Linux x86-64 only; go-xla's installer has this platform's plugin (GitHub)"
else
  echo "none"
  echo "$platform: no XLA CPU plugin is published for it (PyPI: linux_amd64; go-xla: ${goxla_platforms// /, }), so the notebooks use GoMLX's pure-Go backend"
fi
