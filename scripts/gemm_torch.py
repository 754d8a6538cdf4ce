#!/usr/bin/env python3
"""torch.matmul (float32, CPU) on the GEMM cases of jmh/.../GemmBenchmark.java, read from that file so
the two stay the same list. A case is "MxKxNxlayout[xbatch]": layout is n or t (stored transposed) for
A [M,K] and B [K,N], "+" when C is accumulated into; a batch is one batched matmul.
Prints GFLOP/s (median of the repeats) per case; with --jmh RESULT.json (JMH's -rf json output) also
ours, and the ratio ours/PyTorch.
With --json FILE it also writes {case: GFLOP/s} there (scripts/bench-gemm-vs-torch.sh's rounds).
Usage: gemm_torch.py [--threads 2] [--repeats 15] [--jmh jmh.json] [--json out.json] [--only CASE ...]"""
import argparse
import json
import pathlib
import re
import statistics
import time

import torch

BENCH = pathlib.Path(__file__).resolve().parent.parent / "jmh/src/main/java/dev/kora4j/bench/GemmBenchmark.java"


def cases():
    return re.findall(r'"(\d+x\d+x\d+x[nt]{2}\+?(?:x\d+)?)"', BENCH.read_text())


def parse(case):
    parts = case.split("x")
    m, k, n = (int(p) for p in parts[:3])
    batch = int(parts[4]) if len(parts) > 4 else 1
    return m, k, n, parts[3], batch


def operands(m, k, n, layout, batch):
    lead = (batch,) if batch > 1 else ()
    # a transposed operand is a transposed view of a contiguous tensor, as our strided views are
    a = torch.randn(*lead, k, m).transpose(-2, -1) if layout[0] == "t" else torch.randn(*lead, m, k)
    b = torch.randn(*lead, n, k).transpose(-2, -1) if layout[1] == "t" else torch.randn(*lead, k, n)
    return a, b, torch.zeros(*lead, m, n)


def time_case(case, repeats):
    m, k, n, layout, batch = parse(case)
    a, b, c = operands(m, k, n, layout, batch)
    if layout.endswith("+"):
        run = lambda: c.add_(torch.matmul(a, b)) if batch > 1 else c.addmm_(a, b)
    else:
        run = lambda: torch.matmul(a, b, out=c)
    flops = 2.0 * m * k * n * batch
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 0.5:  # warm up
        run()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        run()
        times.append(time.perf_counter() - t)
    return flops / statistics.median(times) / 1e9


def jmh_gflops(path):
    out = {}
    for r in json.loads(pathlib.Path(path).read_text()):
        m, k, n, _, batch = parse(r["params"]["shape"])
        raw = [x for fork in r["primaryMetric"]["rawData"] for x in fork]  # ms per call
        out[r["params"]["shape"]] = 2.0 * m * k * n * batch / (statistics.median(raw) / 1e3) / 1e9
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeats", type=int, default=15)
    p.add_argument("--jmh", help="JMH JSON results of GemmBenchmark, for the side-by-side table")
    p.add_argument("--only", nargs="*", help="cases to run (default: all of GemmBenchmark's)")
    p.add_argument("--json", help="also write {case: GFLOP/s} to this file")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    ours = jmh_gflops(a.jmh) if a.jmh else {}
    print("| case (MxKxNxlayout[xbatch]) | ours GFLOP/s | PyTorch GFLOP/s | ours/PyTorch |")
    print("|---|---:|---:|---:|")
    timed = {}
    for case in a.only or cases():
        theirs = timed[case] = time_case(case, a.repeats)
        mine = ours.get(case)
        cells = ["%.1f" % mine, "%.1f" % theirs, "%.2f" % (mine / theirs)] if mine else ["", "%.1f" % theirs, ""]
        print("| %s | %s |" % (case, " | ".join(cells)), flush=True)
    if a.json:
        pathlib.Path(a.json).write_text(json.dumps(timed, indent=1) + "\n")


if __name__ == "__main__":
    main()
