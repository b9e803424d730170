#!/usr/bin/env bash
# The main job: executes every notebook with the GoNB kernel and writes an
# HTML export of each to build/html, the Chinese edition's to build/html/zh,
# and build/html/index.html listing both.
#
#   scripts/run-notebooks.sh                  notebooks/*.ipynb, then notebooks/zh/*.ipynb
#   scripts/run-notebooks.sh a.ipynb b.ipynb  just those (zh/a.ipynb: its Chinese edition)
#   NOTEBOOKS_OUT=dir scripts/run-…           writes dir/html and dir/executed
#                                             instead of build/html, build/executed
#   NOTEBOOK_CELL_TIMEOUT=s                   fails a cell that runs longer
#                                             (default 7200 s)
#
# Each notebook runs until its first failing cell; the job then goes on with
# the next notebook (they are independent enough that the others' exports are
# still worth having) and exits 1 at the end, naming every notebook and cell
# that failed. A notebook that fails gets no HTML export, and the one an
# earlier run left is removed, so build/html never shows stale results. The
# executed notebook, with its outputs up to the failure, stays in
# build/executed for a look.
#
# The Chinese edition (notebooks/zh, made by scripts/zh_edition.py) runs after
# the English one: its code cells are the English ones, so it loads the models
# the English run just saved instead of training them again. A notebook in a
# folder named zh is exported to html/zh/ (executed/zh/), and each export links
# at its top to the same notebook in the other edition and to the index.
set -euo pipefail
"$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# Notebooks named on the command line are relative to where the user stands.
notebooks=()
for nb in "$@"; do notebooks+=("$(realpath -e "$nb")"); done
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
if [ ${#notebooks[@]} -eq 0 ]; then
  shopt -s nullglob
  notebooks=("$ROOT"/notebooks/*.ipynb "$ROOT"/notebooks/zh/*.ipynb)
  shopt -u nullglob
  # The Chinese edition runs as committed; say so when it lags the English one.
  python3 scripts/zh_edition.py --check >/dev/null ||
    echo "warning: notebooks/zh is not up to date with the English notebooks (see above; make zh regenerates it)" >&2
fi
out="${NOTEBOOKS_OUT:-$BUILD}"
mkdir -p "$out/html" "$out/executed"
# Exports are written here and renamed into html/ only when complete.
partial=$(mktemp -d "$out/html/.partial.XXXXXX")
trap 'rm -rf "$partial"' EXIT

# execute runs notebook $1 with the GoNB kernel, stopping at the first cell
# that fails or runs longer than $4 seconds, and writes it with its outputs
# to $2. On a failure it exits 1 and writes to $3 a line naming the cell (its
# 1-based position among all the notebook's cells, markdown included; "In [n]"
# is the execution count, which GoNB's own messages call "Cell [n]") and the
# error, then the lines of the cell's output that say what went wrong.
# nbclient is used directly because nbconvert neither says which cell failed
# nor saves the outputs of a notebook that failed, and with --allow-errors it
# would go on running (and training) after the failure.
execute() {
  python3 - "$@" <<'PY'
import os, re, sys, html
import nbformat
from nbclient import NotebookClient

src, dst, report, timeout = sys.argv[1:5]
nb = nbformat.read(src, as_version=4)
client = NotebookClient(nb, kernel_name="gonb", timeout=int(timeout),
                        resources={"metadata": {"path": os.path.dirname(src)}})
started = None  # index of the cell running now, for timeouts and crashes

def note_start(cell, cell_index, **_):
    global started
    started = cell_index

client.on_cell_execute = note_start
try:
    client.execute()
    failure = None
except Exception as e:  # CellExecutionError, CellTimeoutError, DeadKernelError, …
    failure = e
nbformat.write(nb, dst)
if failure is None:
    sys.exit(0)

def first_line(cell):
    """The first line of the cell's source, past a bare "%%", which says
    nothing about the cell."""
    lines = [l for l in cell.source.splitlines() if l.strip() and l.strip() != "%%"]
    return lines[0] if lines else cell.source.strip()

def details(cell):
    """The lines that say what went wrong: the panic or log.Fatal message on
    stderr, or the compile error GoNB shows as HTML."""
    stderr = "".join(o.get("text", "") for o in cell.outputs
                     if o.output_type == "stream" and o.name == "stderr")
    stderr = re.sub(r"\x1b\[[0-9;]*m", "", stderr)
    lines = [l.strip() for l in stderr.splitlines() if l.strip() and not re.fullmatch(r"exit status \d+", l)]
    panics = [i for i, l in enumerate(lines) if re.match(r"(panic|fatal error): ", l)]
    if lines:
        return lines[panics[-1]:][:4] if panics else lines[-4:]
    for o in cell.outputs:  # GoNB shows a compile error as HTML only
        page = o.get("data", {}).get("text/html", "") if o.output_type == "display_data" else ""
        if "gonb-err" in page:
            text = html.unescape(re.sub(r"<[^>]+>", "", re.sub(r"(?s)<style>.*?</style>", "", page)))
            return [l.strip() for l in text.splitlines() if l.strip() and not l.strip().startswith("# gonb_")][:6]
    return []

# The cell that stopped the run is the last one started (a cell tagged
# raises-exception may hold an error output and still let the run go on).
i = started
errors = [o for o in nb.cells[i].outputs if o.output_type == "error"] if i is not None else []
if errors:
    what = f"{errors[0].ename}: {errors[0].evalue}"
else:  # a timeout, a dead kernel, or no kernel at all
    what = f"{type(failure).__name__}: {(str(failure).strip().splitlines() or [''])[0]}"
with open(report, "w") as f:
    if i is None:
        print(f"before the first cell: {what}", file=f)
    else:
        cell = nb.cells[i]
        print(f"cell {i + 1} (In [{cell.get('execution_count') or ' '}], `{first_line(cell)}`): {what}", file=f)
        for line in details(cell):
            print(f"    {line}", file=f)
sys.exit(1)
PY
}

# export writes the HTML export of executed notebook $1 as $2, in one rename;
# $3 is the notebook that ran, $4 its edition ("" or "zh").
# The template (scripts/nbconvert/offline) is nbconvert's "lab" one without the
# scripts it loads from a CDN, so the file opens offline and makes no request
# to any other host; setup.sh makes it the default of the lab's export as well.
# The link to the other edition is added here, not by the template, so that
# an export made in the lab (one file on its own) has none.
export_html() {
  local tmp
  tmp="${4:+$4-}$(basename "$2" .html)"
  jupyter nbconvert --to html --HTMLExporter.template_name=offline \
    --HTMLExporter.extra_template_basedirs="$ROOT/scripts/nbconvert" \
    --HTMLExporter.language_code="${4:-en}" \
    --output-dir "$partial" --output "$tmp" "$1" &&
    link_editions "$partial/$tmp.html" "$3" "$4" &&
    mv "$partial/$tmp.html" "$2"
}

# link_editions puts at the top of export $1 of notebook $2 (edition $3) a
# line linking to the index and, when the notebook has one, to its edition in
# the other language: notebooks/zh/NAME.ipynb for notebooks/NAME.ipynb, and
# back.
link_editions() {
  python3 - "$@" <<'PY'
import os, sys
html, nb, edition = sys.argv[1:4]
name = os.path.basename(nb)[:-len(".ipynb")]
folder = os.path.dirname(os.path.abspath(nb))
if edition == "zh":
    other = os.path.join(os.path.dirname(folder), name + ".ipynb")
    links = ['<a href="../index.html">全部笔记本</a>',
             f'<a href="../{name}.html" hreflang="en" lang="en">English edition</a>']
else:
    other = os.path.join(folder, "zh", name + ".ipynb")
    links = ['<a href="index.html">All notebooks</a>',
             f'<a href="zh/{name}.html" hreflang="zh" lang="zh">中文版</a>']
if not os.path.exists(other):
    links = links[:1]
nav = ('<nav class="workbook-editions" style="text-align: right; padding: 0.5em 1em 0; font-size: 0.95em">'
       + " · ".join(links) + "</nav>")
with open(html, encoding="utf-8") as f:
    page = f.read()
if "<main>" not in page:
    sys.exit(f"{html}: no <main> to put the links in")
with open(html, "w", encoding="utf-8") as f:
    f.write(page.replace("<main>", "<main>\n" + nav, 1))
PY
}

# write_index writes html/index.html in $1: one line per export in html/ and
# html/zh/, the notebook's first heading, from its executed copy in executed/.
write_index() {
  python3 - "$1" <<'PY'
import glob, html, json, os, re, sys
out = sys.argv[1]
def heading(executed):
    try:
        with open(executed, encoding="utf-8") as f:
            cells = json.load(f)["cells"]
    except (OSError, ValueError, KeyError):
        return None
    for c in cells:
        if c["cell_type"] == "markdown":
            for line in "".join(c["source"]).splitlines():
                if line.startswith("# "):
                    return re.sub(r"[`*_]", "", line[2:]).strip()
    return None
def items(sub):
    rows = []
    for page in sorted(glob.glob(os.path.join(out, "html", sub, "*.html"))):
        name = os.path.basename(page)[:-len(".html")]
        if sub == "" and name == "index":
            continue
        title = heading(os.path.join(out, "executed", sub, name + ".ipynb")) or name
        rows.append(f'  <li><a href="{html.escape(os.path.join(sub, name + ".html"))}">{html.escape(title)}</a></li>')
    return rows
parts = []
for sub, lang, title in [("", "en", "English edition"), ("zh", "zh", "中文版")]:
    rows = items(sub)
    if rows:
        parts.append(f'<section lang="{lang}">\n <h2>{title}</h2>\n <ul>\n' + "\n".join(rows) + "\n </ul>\n</section>")
page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Deep learning in Go: the MNIST workbook</title>
<style>body {{ font-family: sans-serif; max-width: 48em; margin: 2em auto; padding: 0 1em; line-height: 1.5 }}</style>
</head>
<body>
<h1>Deep learning in Go: the MNIST workbook · <span lang="zh">用 Go 学深度学习：MNIST</span></h1>
{chr(10).join(parts)}
</body>
</html>
"""
with open(os.path.join(out, "html", "index.html"), "w", encoding="utf-8") as f:
    f.write(page)
PY
}

# without_noise drops the lines nbconvert and GoNB print on every run (GoNB
# logs a test "Error message" line at start-up); it never fails itself.
without_noise() {
  grep -v -e '^\[NbConvertApp\]' -e 'main.go:191.*Error message' || [ $? = 1 ]
}

failures=()
written=()
declare -A edition_time=() edition_count=()
job_start=$SECONDS
for nb in "${notebooks[@]}"; do
  name=$(basename "$nb" .ipynb)
  edition="" # English; "zh" for a notebook in a folder named zh
  [ "$(basename "$(dirname "$nb")")" != zh ] || edition=zh
  sub=${edition:+$edition/}
  mkdir -p "$out/html/$sub" "$out/executed/$sub"
  html="$out/html/$sub$name.html"
  executed="$out/executed/$sub$name.ipynb"
  report="$partial/${edition:+$edition-}$name.failure"
  rm -f "$executed" # so that a failure never points at an earlier run's
  echo "running $nb"
  start=$SECONDS
  if execute "$nb" "$executed" "$report" "${NOTEBOOK_CELL_TIMEOUT:-7200}" 2>&1 | without_noise &&
    export_html "$executed" "$html" "$nb" "$edition" 2>&1 | without_noise; then
    printf '%-32s %4d s\n' "$sub$name.ipynb" $((SECONDS - start))
    written+=("$html")
  else
    rm -f "$html" # an export from an earlier run would pass for this one's
    [ -s "$report" ] || echo "export to HTML failed, or the run stopped; see the lines above" >"$report"
    printf '%-32s %4d s  FAILED: %s\n' "$sub$name.ipynb" $((SECONDS - start)) "$(cat "$report")"
    failures+=("$sub$name.ipynb: $(cat "$report")
    executed notebook, outputs up to the failure: $executed")
  fi
  edition_time[${edition:-en}]=$((${edition_time[${edition:-en}]:-0} + SECONDS - start))
  edition_count[${edition:-en}]=$((${edition_count[${edition:-en}]:-0} + 1))
done
write_index "$out"

echo
echo "HTML exports written to $out/html:"
[ ${#written[@]} -eq 0 ] || printf '  %s\n' "${written[@]}"
echo "index of both editions: $out/html/index.html"
[ -z "${edition_count[en]:-}" ] || echo "English edition: ${edition_time[en]} s for ${edition_count[en]} notebooks"
[ -z "${edition_count[zh]:-}" ] || echo "Chinese edition (zh): ${edition_time[zh]} s for ${edition_count[zh]} notebooks"
echo "total: $((SECONDS - job_start)) s for ${#notebooks[@]} notebooks"
if [ ${#failures[@]} -gt 0 ]; then
  echo >&2
  echo "${#failures[@]} notebook(s) FAILED:" >&2
  printf '  %s\n' "${failures[@]}" >&2
  exit 1
fi
