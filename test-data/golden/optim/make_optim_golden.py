#!/usr/bin/env python3
"""Generates optim_golden.json: PyTorch reference trajectories for kora4j's optimizers.

Regenerate (from any directory; the output goes next to this script unless a path is given):

    python make_optim_golden.py [OUTPUT.json]

Generated with: Python 3.11.7, torch 2.14.1 (CPU wheel code path), numpy 2.4.6, on an x86-64
CPU with AVX2/AVX-512. Needs torch and numpy; the Java tests only read the JSON, so neither is
needed to build or test kora4j.

What it records
  * AdamW and SGD (foreach=False, i.e. PyTorch's single-tensor path) for 5 steps on three
    float32 parameters, from gradients made here with a fixed numpy seed. The third parameter
    gets no gradient in one step, so per-parameter step counting is pinned as well.
  * clip_grad_norm_ (foreach=False) with the norm above, equal to and below max_norm.
  * CosineSchedule's documented formula, and torch's CosineAnnealingLR for the decay part.

Why two CPU capabilities
  ATen's CPU kernels come in builds per instruction set. The DEFAULT build does each float32
  operation with its own rounding (a + w*b is two roundings). The AVX2 and AVX-512 builds fuse
  a multiply followed by an add into one FMA (lerp_, addcmul_, add_(alpha=...)), also in the
  scalar tail loops, so they round differently. Each worker below is a fresh process started
  with ATEN_CPU_CAPABILITY set, and the JSON keeps both results: "DEFAULT" (SGD matches it bit
  for bit) and "AVX2" (what most x86-64 machines compute; the Java tests allow a tolerance).
  If the machine has AVX-512, that build is run too and must agree bit-for-bit with AVX2.

Why a third result for AdamW
  With MKL (the x86 wheels), torch.sqrt on float32 is MKL VML's vsSqrt, which is not correctly
  rounded: about one value in six is 1 ulp off the IEEE square root, whatever the capability.
  Java's sqrt is IEEE. "DEFAULT_IEEE_SQRT" reruns the unchanged torch.optim.AdamW under the
  DEFAULT build with Tensor.sqrt replaced by numpy's (IEEE) float32 sqrt, so that the Java test
  can check every other operation of AdamW, in PyTorch's order, bit for bit.

Encoding
  float32 arrays are lists of IEEE-754 bit patterns as 8-digit hex strings (exact and small);
  float64 scalars (learning rates, schedule values) are JSON numbers written with Python's
  repr, which round-trips exactly.
"""

import json
import os
import subprocess
import sys

STEPS = 5
SEED = 20240611
# name, shape, gradient scale (different magnitudes exercise different exponent ranges)
PARAMS = [("w", [2, 3], 1.0), ("v", [33], 1e-3), ("b", [1], 10.0)]
# (param index, step) pairs that get no gradient
NO_GRAD = {(2, 2)}

ADAMW_CASES = [
    # name, lr, weight_decay (None: use torch's default, 0.01), betas and eps are torch's defaults
    ("adamw_lr1e-3_wd0", 1e-3, 0.0),
    ("adamw_lr1e-3_wd0.05", 1e-3, 0.05),
    ("adamw_lr0.1_wd0", 0.1, 0.0),
    ("adamw_lr0.1_wd0.05", 0.1, 0.05),
    ("adamw_lr1e-3_defaults", 1e-3, None),
]
SGD_CASES = [
    # name, lr, momentum, dampening, weight_decay, nesterov
    ("sgd_plain", 0.1, 0.0, 0.0, 0.0, False),
    ("sgd_momentum0.9", 0.1, 0.9, 0.0, 0.0, False),
    ("sgd_momentum0.9_dampening0.1", 0.1, 0.9, 0.1, 0.0, False),
    ("sgd_momentum0.9_wd0.01", 0.05, 0.9, 0.0, 0.01, False),
    ("sgd_nesterov_wd0.01", 0.05, 0.9, 0.0, 0.01, True),
]
CLIP_CASES = [
    # name, max_norm ("norm": the total norm itself, as a float32), which grads are present
    ("clip_above", 1.0, [True, True, True]),
    ("clip_below", 100.0, [True, True, True]),
    ("clip_equal", "norm", [True, True, True]),
    ("clip_missing_grad", 0.5, [True, False, True]),
]
SCHEDULES = [
    # base_lr, min_lr, warmup, total
    (0.1, 0.001, 3, 13),
    (1e-3, 0.0, 0, 10),
    (3e-4, 1e-5, 5, 25),
    (0.5, 0.05, 4, 4),
]


def bits(array):
    """float32 values as hex bit patterns."""
    import numpy as np

    a = np.ascontiguousarray(array, dtype=np.float32).reshape(-1)
    return ["%08x" % b for b in a.view(np.uint32).tolist()]


def inputs():
    """Initial parameters and per-step gradients (numpy only, so every worker sees the same)."""
    import numpy as np

    rng = np.random.default_rng(SEED)
    init = [rng.standard_normal(shape).astype(np.float32) for _, shape, _ in PARAMS]
    grads = []
    for step in range(STEPS):
        row = []
        for i, (_, shape, scale) in enumerate(PARAMS):
            g = (rng.standard_normal(shape) * scale).astype(np.float32)
            row.append(None if (i, step) in NO_GRAD else g)
        grads.append(row)
    clip_grads = [
        (rng.standard_normal(shape) * scale).astype(np.float32) for _, shape, scale in PARAMS
    ]
    return init, grads, clip_grads


def clip_max_norm(max_norm, clip_grads, present):
    """The max_norm of a clip case; "norm" means the gradients' own 2-norm (as a float32)."""
    import numpy as np

    if max_norm != "norm":
        return max_norm
    squares = sum(float(np.sum(g.astype(np.float64) ** 2)) for g, has in zip(clip_grads, present) if has)
    return float(np.float32(squares ** 0.5))


def dump(value, indent=0):
    """JSON with one line per object member or list item, but arrays of numbers or strings on one line."""
    pad = " " * (indent + 1)
    if isinstance(value, dict):
        items = [pad + json.dumps(k) + ": " + dump(v, indent + 1) for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        return "[\n" + ",\n".join(pad + dump(v, indent + 1) for v in value) + "\n" + " " * indent + "]"
    return json.dumps(value, separators=(",", ":"))


def worker(capability, ieee_sqrt):
    """Runs every case under the ATen CPU capability this process was started with."""
    import numpy as np
    import torch

    if ieee_sqrt:
        # Only AdamW's exp_avg_sq.sqrt() calls this; the optimizer code itself is torch's.
        torch.Tensor.sqrt = lambda self: torch.from_numpy(np.sqrt(self.detach().numpy()))

    got = torch.backends.cpu.get_cpu_capability()
    if got != capability.upper():
        sys.exit(f"asked for ATen capability {capability}, torch runs {got}")
    torch.set_num_threads(1)
    init, grads, clip_grads = inputs()

    def run(make_optimizer):
        params = [torch.tensor(p, requires_grad=True) for p in init]
        opt = make_optimizer(params)
        trajectory = []
        for step in range(STEPS):
            for p, g in zip(params, grads[step]):
                p.grad = None if g is None else torch.tensor(g)
            opt.step()
            trajectory.append([bits(p.detach().numpy()) for p in params])
        return trajectory

    out = {"optimizers": {}, "clip": {}}
    for name, lr, wd in ADAMW_CASES:
        kw = {} if wd is None else {"weight_decay": wd}
        out["optimizers"][name] = run(lambda ps: torch.optim.AdamW(ps, lr=lr, foreach=False, **kw))
    if ieee_sqrt:
        return out
    for name, lr, mom, damp, wd, nest in SGD_CASES:
        out["optimizers"][name] = run(
            lambda ps: torch.optim.SGD(
                ps, lr=lr, momentum=mom, dampening=damp, weight_decay=wd, nesterov=nest, foreach=False
            )
        )
    for name, max_norm, present in CLIP_CASES:
        params = [torch.tensor(p, requires_grad=True) for p in init]
        for p, g, has in zip(params, clip_grads, present):
            p.grad = torch.tensor(g) if has else None
        max_norm = clip_max_norm(max_norm, clip_grads, present)
        total = torch.nn.utils.clip_grad_norm_(params, max_norm, foreach=False)
        out["clip"][name] = {
            "max_norm": max_norm,
            "total_norm": bits(total.numpy()),
            "grads": [None if p.grad is None else bits(p.grad.numpy()) for p in params],
        }
    return out


def sqrt_is_ieee():
    """Whether torch.sqrt gives numpy's (IEEE, correctly rounded) float32 square roots."""
    import numpy as np
    import torch

    x = np.random.default_rng(1).random(10000).astype(np.float32) * 100
    return bool(np.array_equal(torch.tensor(x).sqrt().numpy(), np.sqrt(x)))


def schedules():
    import math
    import torch

    out = []
    for base, low, warmup, total in SCHEDULES:
        # The formula CosineSchedule documents, for steps 0 .. total + 2 (past the end it stays at min).
        formula = []
        for s in range(total + 3):
            if s < warmup:
                formula.append(base * (s + 1) / warmup)
            else:
                decay = total - warmup
                progress = 1.0 if decay == 0 else min(1.0, (s - warmup) / decay)
                formula.append(low + 0.5 * (base - low) * (1 + math.cos(math.pi * progress)))
        entry = {"base_lr": base, "min_lr": low, "warmup": warmup, "total": total, "lr": formula}
        if total > warmup:
            # torch's CosineAnnealingLR over the decay part: its epoch k is our step warmup + k.
            p = torch.nn.Parameter(torch.zeros(1))
            opt = torch.optim.SGD([p], lr=base)
            sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total - warmup, eta_min=low)
            annealing = []
            for _ in range(total - warmup + 1):
                annealing.append(float(opt.param_groups[0]["lr"]))
                opt.step()
                sched.step()
            worst = max(abs(a - formula[warmup + k]) / base for k, a in enumerate(annealing))
            if worst > 1e-12:
                sys.exit(f"CosineAnnealingLR and the documented formula disagree by {worst} of base lr")
            entry["torch_cosine_annealing"] = annealing
            entry["max_diff_vs_torch_relative_to_base"] = worst
        out.append(entry)
    return out


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--worker":
        json.dump(worker(sys.argv[2], sys.argv[3] == "ieee_sqrt"), sys.stdout)
        return
    import numpy as np
    import torch

    here = os.path.dirname(os.path.abspath(__file__))
    target = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "optim_golden.json")

    def spawn(capability, sqrt="torch_sqrt"):
        env = dict(os.environ, ATEN_CPU_CAPABILITY=capability)
        done = subprocess.run(
            [sys.executable, os.path.abspath(__file__), "--worker", capability, sqrt],
            env=env, check=True, stdout=subprocess.PIPE, text=True,
        )
        return json.loads(done.stdout)

    results = {"DEFAULT": spawn("default"), "AVX2": spawn("avx2")}
    ieee = spawn("default", "ieee_sqrt")
    avx512_checked = False
    if torch.backends.cpu.get_cpu_capability() == "AVX512":
        if spawn("avx512") != results["AVX2"]:
            sys.exit("AVX-512 and AVX2 results differ; the golden file would depend on the machine")
        avx512_checked = True

    init, grads, clip_grads = inputs()
    golden = {
        "meta": {
            "generator": "make_optim_golden.py",
            "torch": torch.__version__,
            "numpy": np.__version__,
            "python": sys.version.split()[0],
            "seed": SEED,
            "avx512_equals_avx2": avx512_checked,
            "torch_sqrt_is_ieee": sqrt_is_ieee(),
            "encoding": "float32 arrays: hex IEEE-754 bit patterns, row-major; null: no gradient",
        },
        "params": [
            {"name": name, "shape": shape, "init": bits(p)} for (name, shape, _), p in zip(PARAMS, init)
        ],
        "grads": [[None if g is None else bits(g) for g in row] for row in grads],
        "optimizers": [],
        "clip": [],
        "schedules": schedules(),
    }
    for name, lr, wd in ADAMW_CASES:
        case = {"name": name, "type": "adamw", "lr": lr}
        if wd is None:
            case["defaults"] = True
        else:
            case.update(betas=[0.9, 0.999], eps=1e-8, weight_decay=wd)
        case["expected"] = {cap: r["optimizers"][name] for cap, r in results.items()}
        case["expected"]["DEFAULT_IEEE_SQRT"] = ieee["optimizers"][name]
        golden["optimizers"].append(case)
    for name, lr, mom, damp, wd, nest in SGD_CASES:
        case = {"name": name, "type": "sgd", "lr": lr, "momentum": mom, "dampening": damp,
                "weight_decay": wd, "nesterov": nest}
        case["expected"] = {cap: r["optimizers"][name] for cap, r in results.items()}
        golden["optimizers"].append(case)
    for name, max_norm, present in CLIP_CASES:
        golden["clip"].append({
            "name": name,
            "max_norm": clip_max_norm(max_norm, clip_grads, present),
            "grads": [bits(g) if has else None for g, has in zip(clip_grads, present)],
            "expected": {cap: {k: v for k, v in r["clip"][name].items() if k != "max_norm"}
                         for cap, r in results.items()},
        })
    with open(target, "w") as f:
        f.write(dump(golden) + "\n")
    print(f"wrote {target} ({os.path.getsize(target)} bytes)")


if __name__ == "__main__":
    main()
