#!/usr/bin/env python3
"""The table of scripts/bench-step-vs-torch.sh from its results file (lines of "ROUND<tab>JSON").

Per case: each side's median images/s over the rounds (and its range), the median of the per-round
ratios ours/PyTorch (a round's KoRA run against that round's PyTorch LoRA run) and a
distribution-free interval for it: the order statistics [r_(j), r_(R+1-j)] of the R per-round
ratios hold the true median ratio with probability 1 - 2·P(Binomial(R, 1/2) < j), whatever the
ratios' distribution; j is the largest with a coverage of at least 90 % (R = 5: the smallest and
largest ratio, 93.8 %). A ratio is measured above (or below) a value only where its whole interval
is. Standard library only.
Usage: step_ratios.py RESULTS"""
import json
import statistics
import sys
from math import comb

COVERAGE = 0.90
TARGETS = {"infer": 1.0, "full": 1.0, "lora": 1.5, "kora": 1.5}


def coverage(rounds, j):
    """P(r_(j) <= true median <= r_(R+1-j)) for R = rounds ratios."""
    below = sum(comb(rounds, i) for i in range(j)) / 2 ** rounds
    return 1 - 2 * below


def interval(ratios):
    """The narrowest order-statistic interval covering at least COVERAGE, with its coverage (None: too few rounds)."""
    ordered = sorted(ratios)
    best = None
    for j in range(1, len(ordered) // 2 + 1):
        c = coverage(len(ordered), j)
        if c >= COVERAGE:
            best = (ordered[j - 1], ordered[len(ordered) - j], c)
    return best


def read(path):
    runs = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            round_text, sep, payload = line.rstrip("\n").partition("\t")
            try:
                if not sep:
                    raise ValueError("no tab after the round number")
                row = json.loads(payload)
                row["round"] = int(round_text)
            except ValueError as e:
                sys.exit(f"error: {path}, line {number}: not 'ROUND<tab>JSON' ({e}): {line.strip()[:120]}")
            runs.append(row)
    return runs


def spread(values, digits=1):
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def image(by_round):
    """"224", or "32, patch 4" where the patch is not timm's 16."""
    run = next(iter(by_round.values()))
    patch = run.get("patch_size", 16)
    return str(run["img_size"]) if patch == 16 else f"{run['img_size']}, patch {patch}"


def span(bounds):
    """"1.23–1.42", or "-" without an interval."""
    return f"{bounds[0]:.2f}–{bounds[1]:.2f}" if bounds else "-"


def verdict(bounds, target):
    if bounds is None:
        return "-"
    low, high, _ = bounds
    if low >= target:
        return f"above {target:g}"
    if high < target:
        return f"below {target:g}"
    return f"not told from {target:g}"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.splitlines()[-1])
    runs = read(sys.argv[1])
    key = lambda r: (r["model"], r["img_size"], r["batch"])
    ours, theirs = {}, {}
    for r in runs:
        side = ours if r["bench"] == "step" else theirs
        side.setdefault((key(r), r["mode"]), {})[r["round"]] = r
    # GEMM GFLOP/s, the fraction of the FMA peak and the peak RSS are medians over the rounds
    print("| model | img | batch | mode | kora4j img/s, median (range) | PyTorch img/s, median (range) | ratio | "
          "interval | against target | GEMM GFLOP/s | of FMA peak | kora4j peak RSS MB | PyTorch peak RSS MB |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|")
    coverages = set()
    for (case, mode), by_round in ours.items():
        model, _, batch = case
        base = theirs.get((case, "lora" if mode == "kora" else mode), {})
        rounds = sorted(r for r in by_round if r in base)
        mine = [by_round[r]["images_per_second"] for r in by_round]
        other = [base[r]["images_per_second"] for r in base]
        ratios = [by_round[r]["images_per_second"] / base[r]["images_per_second"] for r in rounds]
        bounds = interval(ratios) if ratios else None
        if bounds:
            coverages.add((len(ratios), bounds[2]))
        against = " LoRA" if mode == "kora" else ""
        cells = [model, image(by_round), str(batch), mode, spread(mine), (spread(other) + against) if other else "-",
                 f"{statistics.median(ratios):.2f}×" if ratios else "-",
                 span(bounds),
                 verdict(bounds, TARGETS[mode]),
                 f"{statistics.median(by_round[r]['gflops'] for r in by_round):.0f}",
                 f"{statistics.median(by_round[r]['fraction_of_peak'] for r in by_round):.2f}",
                 f"{statistics.median(by_round[r]['peak_rss_mb'] for r in by_round):.0f}",
                 f"{statistics.median(base[r]['peak_rss_mb'] for r in base):.0f}" if base else "-"]
        print("| " + " | ".join(cells) + " |")
    kora_vs_lora = []
    for (case, mode), by_round in ours.items():
        lora = ours.get((case, "lora"), {})
        if mode == "kora" and lora:
            ratios = [by_round[r]["images_per_second"] / lora[r]["images_per_second"] for r in sorted(by_round) if r in lora]
            bounds = interval(ratios)
            kora_vs_lora.append(f"| {case[0]} | {image(by_round)} | {case[2]} | {statistics.median(ratios):.2f}× | "
                                f"{span(bounds)} | {verdict(bounds, 0.95)} |")
    if kora_vs_lora:
        print("\nOur KoRA step against our LoRA step, round by round (target 0.95):\n")
        print("| model | img | batch | ratio | interval | against target |")
        print("|---|---:|---:|---:|---:|---|")
        print("\n".join(kora_vs_lora))
    for rounds, c in sorted(coverages):
        print(f"\n{rounds} rounds: the interval holds the median ratio with probability {c:.1%} (order statistics).")
    print("Targets: 1.0 for infer and full, 1.5 for lora and kora (against PyTorch's LoRA).")


if __name__ == "__main__":
    main()
