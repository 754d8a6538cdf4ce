#!/usr/bin/env python3
"""The table of scripts/bench-gemm-vs-torch.sh from its folder of rounds (ours-R.json: JMH's results;
torch-R.json: {case: GFLOP/s}). Per case: each side's median GFLOP/s over the rounds (and its range),
the median of the per-round ratios ours/PyTorch with the order-statistic interval of step_ratios.py,
and whether that interval lies above or below 1.
Usage: gemm_ratios.py DIR"""
import json
import pathlib
import statistics
import sys

from gemm_torch import jmh_gflops
from step_ratios import interval, span, spread, verdict


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.splitlines()[-1])
    folder = pathlib.Path(sys.argv[1])
    ours, theirs = {}, {}
    for path in sorted(folder.glob("ours-*.json")):
        ours[int(path.stem.split("-")[1])] = jmh_gflops(path)
    for path in sorted(folder.glob("torch-*.json")):
        theirs[int(path.stem.split("-")[1])] = json.loads(path.read_text())
    rounds = sorted(set(ours) & set(theirs))
    if not rounds:
        sys.exit(f"error: {folder}: no round with both ours-R.json and torch-R.json")
    print("| case (M×K×N, layout[, batch]) | ours GFLOP/s, median (range) | PyTorch GFLOP/s, median (range) | ratio | interval | against 1 |")
    print("|---|---:|---:|---:|---:|---|")
    coverages = set()
    for case in ours[rounds[0]]:
        both = [r for r in rounds if case in ours[r] and case in theirs[r]]
        ratios = [ours[r][case] / theirs[r][case] for r in both]
        bounds = interval(ratios)
        if bounds:
            coverages.add((len(ratios), bounds[2]))
        print(f"| {case} | {spread([ours[r][case] for r in both])} | {spread([theirs[r][case] for r in both])} | "
              f"{statistics.median(ratios):.2f}× | {span(bounds)} | {verdict(bounds, 1.0)} |")
    for count, c in sorted(coverages):
        print(f"\n{count} rounds: the interval holds the median ratio with probability {c:.1%} (order statistics).")


if __name__ == "__main__":
    main()
