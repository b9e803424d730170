#!/usr/bin/env python3
"""What fraction of the CPU's arithmetic peak each bench row reaches.

    python3 bench/flops.py build/compare.jsonl            # rows of bench/compare.sh
    go run ./bench -child=cnn -epochs=3 | python3 bench/flops.py
    python3 bench/flops.py --peak 294.4 rows.jsonl       # a peak of your own, GFLOP/s

Reads JSON lines with Model and SecondsPerEpoch (the bench's -child output,
bench/compare.py's rows, bench/gpu.sh's results.jsonl) and prints a table:
GFLOP per epoch, GFLOP/s, and the share of the peak.

FLOPs per epoch (bench/RESULTS.md derives them): a multiply-add is 2 FLOPs;
training an image costs about 3 forward passes (forward, then the gradients
with respect to activations and to weights); an epoch trains on 48,000 images
and runs 12,000 validation images forward. Element-wise work (ReLU, softmax,
pooling, Adam) is left out: it is small next to the products.

Peak: cores x fp32 lanes per vector x 2 (an FMA is 2 FLOPs) x FMA units per
core x clock. Lanes: 16 with AVX-512, 8 with AVX2 (read from /proc/cpuinfo);
2 FMA units per core (Xeon Gold/Platinum, EPYC Zen 2-4: an assumption,
--fma-units changes it); the clock is /proc/cpuinfo's "cpu MHz" (a VM's
nominal clock; turbo is not counted).
"""

import argparse
import json
import os
import sys

TRAIN, VALIDATION = 48_000, 12_000
STEPS = TRAIN // 200  # training steps per epoch at the tutorial's batch size

# Multiply-adds of one forward pass of one image.
MACS = {
    "mlp": 784 * 256 + 256 * 10,  # 203,264
    "cnn": 28 * 28 * 25 * 16 + 3136 * 128 + 128 * 10,  # conv 5x5x1 -> 16, same: 313,600; dense: 402,688
    "deep-cnn": 28 * 28 * 25 * 16 + 14 * 14 * 25 * 16 * 36 + 7 * 7 * 36 * 128 + 128 * 10,
}
MACS["mlp-dropout"] = MACS["mlp"]
MACS["cnn-nodrop"] = MACS["cnn"]


def flops_per_epoch(model):
    forward = 2 * MACS[model]
    return TRAIN * 3 * forward + VALIDATION * forward


def cpu_peak(cores, ghz, lanes, fma_units):
    return cores * lanes * 2 * fma_units * ghz


def cpuinfo():
    flags, mhz = set(), None
    try:
        for line in open("/proc/cpuinfo"):
            key, _, value = line.partition(":")
            key = key.strip()
            if key == "flags" and not flags:
                flags = set(value.split())
            elif key == "cpu MHz" and mhz is None:
                mhz = float(value)
    except OSError:
        pass
    lanes = 16 if "avx512f" in flags else 8 if {"avx2", "fma"} <= flags else 4
    return lanes, (mhz or 0) / 1000


def main():
    lanes, ghz = cpuinfo()
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("files", nargs="*", help="JSON lines (default: stdin)")
    p.add_argument("--cores", type=int, default=os.cpu_count())
    p.add_argument("--ghz", type=float, default=ghz)
    p.add_argument("--lanes", type=int, default=lanes, help="fp32 lanes per vector: 16 AVX-512, 8 AVX2")
    p.add_argument("--fma-units", type=int, default=2)
    p.add_argument("--peak", type=float, help="GFLOP/s, instead of the formula")
    a = p.parse_args()
    peak = a.peak or cpu_peak(a.cores, a.ghz, a.lanes, a.fma_units)
    lines = [l for f in a.files for l in open(f)] if a.files else sys.stdin
    rows = [json.loads(l) for l in lines if l.strip().startswith("{")]
    if a.peak:
        print(f"peak: {peak:.1f} GFLOP/s (given)\n")
    else:
        print(f"peak: {a.cores} cores x {a.lanes} fp32 lanes x 2 (FMA) x {a.fma_units} FMA units x {a.ghz:.2f} GHz = {peak:.1f} GFLOP/s\n")
    for m in sorted(MACS):
        print(f"{m}: {MACS[m]:,} multiply-adds per image forward; {flops_per_epoch(m) / 1e9:.2f} GFLOP per epoch")
    print("\n| model | backend | s/epoch | GFLOP/epoch | GFLOP/s | share of peak |")
    print("|---|---|---:|---:|---:|---:|")
    for r in rows:
        m, s = r.get("Model"), r.get("SecondsPerEpoch") or 0
        if m not in MACS or s <= 0:
            print(f"| {m} | {r.get('Backend', '')} | {s:.2f} | ? | ? | ? |")
            continue
        g = flops_per_epoch(m) / 1e9
        print(f"| {m} | {r.get('Backend', '')} | {s:.2f} | {g:.1f} | {g / s:.1f} | {100 * g / s / peak:.1f}% |")


if __name__ == "__main__":
    main()
