"""Median milliseconds of a repeated PyTorch call, timed as `kora bench` times ours: `warmup` untimed
calls, then `steps` timed ones; on cuda each call is timed by CUDA events, on cpu by the wall clock."""
import statistics
import time

import torch


def median_ms(call, warmup, steps, device):
    ms = []
    for i in range(warmup + steps):
        if device == "cuda":
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
        t0 = time.perf_counter()
        call()
        if device == "cuda":
            end.record()
            end.synchronize()
            elapsed = start.elapsed_time(end)
        else:
            elapsed = (time.perf_counter() - t0) * 1e3
        if i >= warmup:
            ms.append(elapsed)
    return statistics.median(ms)
