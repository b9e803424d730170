#!/usr/bin/env bash
# Installs what the browser test needs (tests/browser): Debian's Chromium,
# and playwright-core from npm at the version package-lock.json pins.
# Playwright's own browser download is never used: it needs the internet
# beyond the registries.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

need() {
  command -v "$1" >/dev/null || { echo "setup-browser: '$1' is not installed; $2" >&2; exit 1; }
}
need node "install Node.js 20 or newer"
need npm "install npm (it comes with Node.js)"

if ! command -v "${CHROMIUM:-chromium}" >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup-browser: installing Debian's chromium (about 100 MB)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "setup-browser: Chromium is missing. Install Debian's package (sudo apt-get install chromium)" >&2
    echo "               or set CHROMIUM to a Chromium or Chrome executable." >&2
    exit 1
  fi
fi

want=$(cat tests/browser/package-lock.json | sha256sum | cut -c1-16)
stamp=tests/browser/node_modules/.stamp
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup-browser: installing playwright-core into tests/browser/node_modules"
  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
fi
