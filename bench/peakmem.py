#!/usr/bin/env python3
"""Runs one bench command and adds its peak memory to the JSON line it prints.

    python3 bench/peakmem.py build/bench -child=cnn -epochs=3
    python3 bench/peakmem.py .tools/bench-venv/bin/python bench/compare.py train torch cnn 3 DIR

The command's stderr passes through; of its stdout, the last line that is a
JSON object is printed again with PeakMiB (the largest resident set of the
command and everything it started, from getrusage(RUSAGE_CHILDREN)) and
WallSeconds added. Used by bench/compare.sh and bench/gpu.sh; standard
library only (the GPU machine has no packages of ours).
"""

import json
import resource
import subprocess
import sys
import time


def main():
    start = time.time()
    p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, text=True)
    if p.returncode:
        sys.stdout.write(p.stdout)
        sys.exit(p.returncode)
    rows = [l for l in p.stdout.splitlines() if l.strip().startswith("{")]
    if not rows:
        sys.exit(f"peakmem: {sys.argv[1]} printed no JSON line: {p.stdout[-500:]!r}")
    r = json.loads(rows[-1])
    r["PeakMiB"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux: KiB
    r["WallSeconds"] = time.time() - start
    print(json.dumps(r))


if __name__ == "__main__":
    main()
