"""Runs a notebook with the GoNB kernel and prints each code cell's wall time
as JupyterLab's client sees it (execute request sent → reply received), to the
millisecond: nbconvert's recorded timings have whole-second resolution here,
since GoNB stamps whole seconds.

    source scripts/env.sh && python3 bench/celltimes.py notebooks/04_mlp.ipynb [RUNS]

With RUNS > 1 it executes the notebook that many times in one kernel after the
first and prints the median per cell: the "warm rerun" a learner waits for.
"""
import statistics, sys, time
import nbformat
from nbclient import NotebookClient

path, runs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1
nb = nbformat.read(path, as_version=4)
times = {}
started = {}


def before(cell, cell_index, **_):
    started[cell_index] = time.perf_counter()


def after(cell, cell_index, **_):
    times.setdefault(cell_index, []).append(time.perf_counter() - started[cell_index])


client = NotebookClient(nb, kernel_name="gonb", timeout=3600, on_cell_execute=before, on_cell_executed=after,
                        resources={"metadata": {"path": path.rsplit("/", 1)[0] if "/" in path else "."}})
with client.setup_kernel():
    for _ in range(runs):
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code":
                client.execute_cell(cell, i)
for i, ts in sorted(times.items()):
    first = nb.cells[i].source.splitlines()
    first = next((l for l in first if l.strip() and not l.startswith(("import", "//", "%%", "!"))), first[0] if first else "")
    print(f"cell {i:2d}  first {ts[0]:6.2f} s  " + (f"warm median {statistics.median(ts[1:]):6.2f} s  " if len(ts) > 1 else "") + first[:60])
