#!/usr/bin/env bash
# Tests scripts/run-notebooks.sh on two scratch notebooks, one good and one
# that panics in its second code cell: the job must fail, name the cell, stop
# running that notebook there, keep the good export and remove a stale one.
# The good one has a Chinese edition in zh/: its export goes to html/zh/, the
# two exports link to each other, and index.html lists both by their headings.
# About 15 s (three GoNB kernels); needs the set-up (make setup).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/env.sh"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

mkdir "$dir/zh"
python3 - "$dir" <<'PY'
import sys, nbformat
def notebook(name, *cells, heading=None):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"display_name": "Go (gonb)", "language": "go", "name": "gonb"}}
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {heading or name}")] + [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, f"{sys.argv[1]}/{name}.ipynb")
notebook("good", '%%\nfmt.Println("hello")', heading="A good notebook")
notebook("bad", '%%\nfmt.Println("before")', '%%\npanic("boom")', '%%\nfmt.Println("never")')
notebook("zh/good", '%%\nfmt.Println("hello")', heading="一个好的笔记本")
PY
mkdir -p "$dir/out/html"
echo "from an earlier run" >"$dir/out/html/bad.html"

fail() { echo "FAIL: $*" >&2; echo "--- output:" >&2; cat "$dir/log" >&2; exit 1; }
status=0
NOTEBOOKS_OUT="$dir/out" "$root/scripts/run-notebooks.sh" "$dir/good.ipynb" "$dir/bad.ipynb" "$dir/zh/good.ipynb" >"$dir/log" 2>&1 || status=$?

[ "$status" = 1 ] || fail "exit status $status, want 1"
grep -qF 'bad.ipynb: cell 3 (In [2], `panic("boom")`): ERROR: exit status 2' "$dir/log" || fail "no line naming the failing cell"
grep -q "panic: boom" "$dir/log" || fail "the panic message is not shown"
grep -Eq "^good.ipynb +[0-9]+ s$" "$dir/log" || fail "no wall time for good.ipynb"
grep -q "hello" "$dir/out/html/good.html" || fail "good.html missing or without the cell's output"
[ ! -e "$dir/out/html/bad.html" ] || fail "the stale bad.html was left in place"
grep -qE '^\s*"before\\n"$' "$dir/out/executed/bad.ipynb" || fail "the executed notebook lacks the outputs before the failure"
! grep -qE '^\s*"never\\n"$' "$dir/out/executed/bad.ipynb" || fail "cells after the failing one ran"
[ -z "$(ls -A "$dir/out/html" | grep -v -e '^good.html$' -e '^index.html$' -e '^zh$')" ] || fail "left-overs in html/: $(ls -A "$dir/out/html")"
# The Chinese edition: its own folder, the links between editions, the index.
grep -Eq "^zh/good.ipynb +[0-9]+ s$" "$dir/log" || fail "no wall time for zh/good.ipynb"
grep -Eq "^English edition: [0-9]+ s for 2 notebooks$" "$dir/log" || fail "no time for the English edition"
grep -Eq "^Chinese edition \(zh\): [0-9]+ s for 1 notebooks$" "$dir/log" || fail "no time for the Chinese edition"
grep -q "hello" "$dir/out/html/zh/good.html" || fail "zh/good.html missing or without the cell's output"
[ "$(ls -A "$dir/out/html/zh")" = good.html ] || fail "left-overs in html/zh/: $(ls -A "$dir/out/html/zh")"
grep -qF '<a href="zh/good.html" hreflang="zh" lang="zh">中文版</a>' "$dir/out/html/good.html" || fail "good.html does not link to its Chinese edition"
grep -qF '<a href="../good.html" hreflang="en" lang="en">English edition</a>' "$dir/out/html/zh/good.html" || fail "zh/good.html does not link to its English edition"
grep -q '<html lang="zh">' "$dir/out/html/zh/good.html" || fail "zh/good.html does not say it is in Chinese"
grep -qF '<li><a href="good.html">A good notebook</a></li>' "$dir/out/html/index.html" || fail "index.html does not list good.html by its heading"
grep -qF '<li><a href="zh/good.html">一个好的笔记本</a></li>' "$dir/out/html/index.html" || fail "index.html does not list zh/good.html by its heading"
! grep -q 'bad.html' "$dir/out/html/index.html" || fail "index.html lists the failed notebook"
echo "run-notebooks.sh: ok"
