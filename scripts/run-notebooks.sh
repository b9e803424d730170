#!/usr/bin/env bash
# The main job: executes every notebook with the GoNB kernel and writes an
# HTML export of each to build/html.
#
#   scripts/run-notebooks.sh                  all of notebooks/*.ipynb
#   scripts/run-notebooks.sh a.ipynb b.ipynb  just those
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
set -euo pipefail
"$(dirname "${BASH_SOURCE[0]}")/setup.sh"
# Notebooks named on the command line are relative to where the user stands.
notebooks=()
for nb in "$@"; do notebooks+=("$(realpath -e "$nb")"); done
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"
[ ${#notebooks[@]} -gt 0 ] || notebooks=("$ROOT"/notebooks/*.ipynb)
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

# export writes the HTML export of executed notebook $1 as $2, in one rename.
# The template (scripts/nbconvert/offline) is nbconvert's "lab" one without the
# scripts it loads from a CDN, so the file opens offline and makes no request
# to any other host; setup.sh makes it the default of the lab's export as well.
export_html() {
  jupyter nbconvert --to html --HTMLExporter.template_name=offline \
    --HTMLExporter.extra_template_basedirs="$ROOT/scripts/nbconvert" \
    --output-dir "$partial" --output "$(basename "$2" .html)" "$1" &&
    mv "$partial/$(basename "$2")" "$2"
}

# without_noise drops the lines nbconvert and GoNB print on every run (GoNB
# logs a test "Error message" line at start-up); it never fails itself.
without_noise() {
  grep -v -e '^\[NbConvertApp\]' -e 'main.go:191.*Error message' || [ $? = 1 ]
}

failures=()
written=()
job_start=$SECONDS
for nb in "${notebooks[@]}"; do
  name=$(basename "$nb" .ipynb)
  html="$out/html/$name.html"
  executed="$out/executed/$name.ipynb"
  report="$partial/$name.failure"
  rm -f "$executed" # so that a failure never points at an earlier run's
  echo "running $nb"
  start=$SECONDS
  if execute "$nb" "$executed" "$report" "${NOTEBOOK_CELL_TIMEOUT:-7200}" 2>&1 | without_noise &&
    export_html "$executed" "$html" 2>&1 | without_noise; then
    printf '%-32s %4d s\n' "$name.ipynb" $((SECONDS - start))
    written+=("$html")
    continue
  fi
  rm -f "$html" # an export from an earlier run would pass for this one's
  [ -s "$report" ] || echo "export to HTML failed, or the run stopped; see the lines above" >"$report"
  printf '%-32s %4d s  FAILED: %s\n' "$name.ipynb" $((SECONDS - start)) "$(cat "$report")"
  failures+=("$name.ipynb: $(cat "$report")
    executed notebook, outputs up to the failure: $executed")
done

echo
echo "HTML exports written to $out/html:"
[ ${#written[@]} -eq 0 ] || printf '  %s\n' "${written[@]}"
echo "total: $((SECONDS - job_start)) s for ${#notebooks[@]} notebooks"
if [ ${#failures[@]} -gt 0 ]; then
  echo >&2
  echo "${#failures[@]} notebook(s) FAILED:" >&2
  printf '  %s\n' "${failures[@]}" >&2
  exit 1
fi
