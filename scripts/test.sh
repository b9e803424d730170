#!/usr/bin/env bash
# The test command: sets everything up, checks formatting and vet, checks
# that the Chinese edition (notebooks/zh) has not drifted from the English
# one (scripts/zh_edition.py --check) and tests that check, runs the
# library tests, runs each fuzz target for a few seconds, executes every
# notebook with the real GoNB kernel, checks
# that the main job reports a failing notebook and that the kernel shuts down
# cleanly, then opens notebook 04 and the Chinese edition's 03 in JupyterLab
# in a real browser, opens the HTML exports with the network cut off, uses
# the drawing pad of 10 and the
# sliders of 08 and 04b (tests/browser), and builds and runs
# the Docker image (tests/docker).
set -euo pipefail
"$(dirname "${BASH_SOURCE[0]}")/setup.sh" --browser
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
unformatted=$(find . -name "*.go" -not -path "./.tools/*" -not -path "./build/*" -print0 | xargs -0 gofmt -l)
if [ -n "$unformatted" ]; then echo "not gofmt-formatted: $unformatted" >&2; exit 1; fi
go vet ./...
# The drift test: translations answer the English text of today, code cells
# are the same in both editions, notebooks/zh is what `make zh` makes now.
python3 scripts/zh_edition.py --check
python3 tests/zh_edition_test.py
# A bare `go test` skips the XLA and notebook tests where the set-up is missing
# (a fresh clone); here the set-up has run, so its absence is a failure.
export WORKBOOK_REQUIRE_SETUP=1
go test -count=1 -timeout 80m ./... "$@"
# A short run of each fuzz target (docs/testing.md#fuzzing); `go test ./...`
# above ran their corpora. Go fuzzes one target per invocation.
for target in ./internal/idx:FuzzDecode ./internal/npz:FuzzReadArrays ./mnistlib:FuzzReadDigit ./mnistlib:FuzzLoad; do
  go test -run='^$' -fuzz="^${target#*:}\$" -fuzztime=10s -parallel=2 "${target%%:*}"
done
tests/run-notebooks.test.sh
tests/pjrt-source.test.sh
python3 scripts/kernel_test.py
node --test tests/browser/lab.test.mjs
node --test tests/browser/zh.test.mjs
node --test tests/browser/export.test.mjs
node --test tests/browser/pad.test.mjs
node --test tests/browser/explore.test.mjs
node --test tests/browser/learn.test.mjs
tests/docker/image.test.sh
