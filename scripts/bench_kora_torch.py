#!/usr/bin/env python3
"""The KoRA update of one attention block in PyTorch eager (float32, CPU), timed as `kora bench kora`
times ours: forward, and forward+backward, median of the timed repeats. Same maths as
kora-math.md §2 (unfused: δ_q, δ_k, δ_v, their concatenation, the composition MLP, the gated add).
With --device cuda the tensors live on the GPU and each repeat is timed by CUDA events.
Prints one JSON line. Usage: bench_kora_torch.py --tokens 12608 --dim 768 [--rank 8 --dcomp 4 --threads 2 --device cpu|cuda]"""
import argparse
import json

import torch
import torch.nn.functional as F

from torch_timing import median_ms


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tokens", type=int, required=True)
    p.add_argument("--dim", type=int, required=True)
    p.add_argument("--rank", type=int, default=8)
    p.add_argument("--dcomp", type=int, default=4)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    a = p.parse_args()
    dev = torch.device(a.device)
    torch.set_num_threads(a.threads)
    torch.manual_seed(5)
    n, d, r, dc = a.tokens, a.dim, a.rank, a.dcomp

    def param(*shape, bound):
        return (torch.rand(*shape) * 2 - 1).mul_(bound).to(dev).requires_grad_(True)

    x = torch.randn(n, d).to(dev).requires_grad_(True)
    y = torch.randn(n, 3 * d).to(dev)
    cot = torch.randn(n, 3 * d).to(dev)
    A = [param(r, d, bound=d ** -0.5) for _ in range(3)]
    B = [param(d, r, bound=0.1) for _ in range(3)]
    w1, b1 = param(dc, 3 * d, bound=(3 * d) ** -0.5), param(dc, bound=0.1)
    w2, b2 = param(d, dc, bound=0.5), param(d, bound=0.1)
    gate = torch.full((1,), 0.3, device=dev, requires_grad=True)
    params = [x, *A, *B, w1, b1, w2, b2, gate]

    def kora(y):
        deltas = [F.linear(F.linear(x, A[j]), B[j]) for j in range(3)]
        c = torch.cat(deltas, dim=-1)
        dcomp = F.linear(F.gelu(F.linear(c, w1, b1)), w2, b2)
        q, k, v = y[:, :d], y[:, d:2 * d], y[:, 2 * d:]
        return torch.cat([q, k, v + gate * dcomp], dim=-1)

    def time_it(backward):
        def call():
            for t in params:
                t.grad = None
            out = kora(y)
            if backward:
                out.backward(cot)
        return round(median_ms(call, a.warmup, a.steps, a.device), 3)

    print(json.dumps({"bench": "kora_torch", "tokens": n, "dim": d, "rank": r, "dcomp": dc, "threads": a.threads,
                      "device": a.device, "torch": torch.__version__, "fwd_ms": time_it(False), "fwdbwd_ms": time_it(True)}))


if __name__ == "__main__":
    main()
