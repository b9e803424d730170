#!/usr/bin/env bash
# Checks scripts/pjrt-source.sh, the set-up's choice of where XLA's CPU plugin
# comes from, for every platform (uname -s, uname -m as each OS prints them),
# and that its list of go-xla platforms is the one go-xla v0.4.5 itself has
# (installer.CPUSupportedPlatforms, printed by scripts/goxla-installer).
#
#   tests/pjrt-source.test.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
unset PJRT_SOURCE
fails=0
check() { # OS ARCH WANT
  local got
  got=$(scripts/pjrt-source.sh "$1" "$2" | sed -n 1p)
  if [ "$got" = "$3" ]; then echo "ok   $1 $2 -> $got"; else echo "FAIL $1 $2 -> '$got', want '$3'"; fails=$((fails + 1)); fi
}
#     uname -s                 uname -m  sources
check Linux                    x86_64    "pypi goxla"
check Linux                    aarch64   goxla
check Linux                    arm64     goxla
check Darwin                   arm64     goxla
check Darwin                   x86_64    none
check MINGW64_NT-10.0-26100    x86_64    goxla
check MSYS_NT-10.0-26100       x86_64    goxla
check CYGWIN_NT-10.0           x86_64    goxla
check MINGW64_NT-10.0-26100    aarch64   none
check Linux                    riscv64   none
check Linux                    ppc64le   none
check Linux                    i686      none
check FreeBSD                  amd64     none

# Every line 2 says the platform and why.
why=$(scripts/pjrt-source.sh Darwin x86_64 | sed -n 2p)
case $why in *darwin_amd64*pure-Go*) echo "ok   the reason names the platform: $why" ;;
  *) echo "FAIL reason: $why"; fails=$((fails + 1)) ;; esac

# PJRT_SOURCE forces a source; a wrong value is refused.
got=$(PJRT_SOURCE=none scripts/pjrt-source.sh Linux x86_64 | sed -n 1p)
[ "$got" = none ] && echo "ok   PJRT_SOURCE=none" || { echo "FAIL PJRT_SOURCE=none -> $got"; fails=$((fails + 1)); }
if PJRT_SOURCE=github scripts/pjrt-source.sh Linux x86_64 >/dev/null 2>&1; then
  echo "FAIL PJRT_SOURCE=github accepted"; fails=$((fails + 1))
else
  echo "ok   PJRT_SOURCE=github refused"
fi

# The script's go-xla platforms are go-xla's own.
if command -v go >/dev/null; then
  want=$(cd scripts/goxla-installer && go run . -platforms | tr ' ' '\n' | sort | paste -sd' ')
  have=$(sed -n 's/^goxla_platforms="\(.*\)"$/\1/p' scripts/pjrt-source.sh | tr ' ' '\n' | sort | paste -sd' ')
  if [ "$want" = "$have" ]; then echo "ok   go-xla's platforms: $have"; else echo "FAIL go-xla's platforms: '$want', the script has '$have'"; fails=$((fails + 1)); fi
fi

[ "$fails" = 0 ] || { echo "$fails failed"; exit 1; }
echo "pjrt-source: all passed"
