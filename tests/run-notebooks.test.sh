#!/usr/bin/env bash
# Tests scripts/run-notebooks.sh on two scratch notebooks, one good and one
# that panics in its second code cell: the job must fail, name the cell, stop
# running that notebook there, keep the good export and remove a stale one.
# About 10 s (two GoNB kernels); needs the set-up (make setup).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/env.sh"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

python3 - "$dir" <<'PY'
import sys, nbformat
def notebook(name, *cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Go (gonb)", "language": "go", "name": "gonb"}}
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {name}")] + [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, f"{sys.argv[1]}/{name}.ipynb")
notebook("good", '%%\nfmt.Println("hello")')
notebook("bad", '%%\nfmt.Println("before")', '%%\npanic("boom")', '%%\nfmt.Println("never")')
PY
mkdir -p "$dir/out/html"
echo "from an earlier run" >"$dir/out/html/bad.html"

fail() { echo "FAIL: $*" >&2; echo "--- output:" >&2; cat "$dir/log" >&2; exit 1; }
status=0
NOTEBOOKS_OUT="$dir/out" "$root/scripts/run-notebooks.sh" "$dir/good.ipynb" "$dir/bad.ipynb" >"$dir/log" 2>&1 || status=$?

[ "$status" = 1 ] || fail "exit status $status, want 1"
grep -qF 'bad.ipynb: cell 3 (In [2], `panic("boom")`): ERROR: exit status 2' "$dir/log" || fail "no line naming the failing cell"
grep -q "panic: boom" "$dir/log" || fail "the panic message is not shown"
grep -Eq "^good.ipynb +[0-9]+ s$" "$dir/log" || fail "no wall time for good.ipynb"
grep -q "hello" "$dir/out/html/good.html" || fail "good.html missing or without the cell's output"
[ ! -e "$dir/out/html/bad.html" ] || fail "the stale bad.html was left in place"
grep -qE '^\s*"before\\n"$' "$dir/out/executed/bad.ipynb" || fail "the executed notebook lacks the outputs before the failure"
! grep -qE '^\s*"never\\n"$' "$dir/out/executed/bad.ipynb" || fail "cells after the failing one ran"
[ -z "$(ls -A "$dir/out/html" | grep -v '^good.html$')" ] || fail "left-overs in html/: $(ls -A "$dir/out/html")"
echo "run-notebooks.sh: ok"
