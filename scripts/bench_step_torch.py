#!/usr/bin/env python3
"""Whole training steps of a timm ViT in PyTorch eager (float32), timed as `kora bench step`
times ours: random images and labels, AdamW over what trains, median ms of the timed steps.
Modes: infer (forward, no autograd), full (every parameter), lora (LoRA r on qkv, proj, fc1, fc2 with
alpha = r, plus a new trainable head), kora (KoRA on qkv as kora-math.md §2, unfused, plus LoRA on
proj, fc1, fc2 and a new head). With --device cuda the model runs on the GPU and each step is timed
by CUDA events. Prints one JSON line.
Usage: bench_step_torch.py --model CONFIG.json --mode lora --batch 8 [--rank 8 --dcomp 4 --steps 10 --warmup 3 --threads 2 --device cpu|cuda --compile]"""
import argparse
import json
import math
import resource

import timm
import torch
import torch.nn as nn

from torch_timing import median_ms


class LoRALinear(nn.Module):
    """y = base(x) + (alpha/r)·B(A(x)), base frozen; A kaiming-uniform, B zeros (PEFT's initialisation)."""

    def __init__(self, base, r, alpha):
        super().__init__()
        self.base = base
        self.a = nn.Parameter(torch.empty(r, base.in_features))
        self.b = nn.Parameter(torch.zeros(base.out_features, r))
        nn.init.kaiming_uniform_(self.a, a=math.sqrt(5))
        self.scale = alpha / r

    def forward(self, x):
        return self.base(x) + (x @ self.a.t() @ self.b.t()) * self.scale


class KoRAQKV(nn.Module):
    """qkv = base(x), then v += g·(W2·GELU(W1·[δ_q; δ_k; δ_v] + b1) + b2) with δ_j = s·B_j(A_j(x))."""

    def __init__(self, base, r, alpha, dcomp):
        super().__init__()
        self.base = base
        d = base.in_features
        self.a = nn.ParameterList([nn.Parameter(torch.empty(r, d)) for _ in range(3)])
        self.b = nn.ParameterList([nn.Parameter(torch.zeros(d, r)) for _ in range(3)])
        for a in self.a:
            nn.init.kaiming_uniform_(a, a=math.sqrt(5))
        self.fc1 = nn.Linear(3 * d, dcomp)
        self.fc2 = nn.Linear(dcomp, d)
        self.gate = nn.Parameter(torch.zeros(1))
        self.scale = alpha / r

    def forward(self, x):
        y = self.base(x)
        deltas = [(x @ a.t() @ b.t()) * self.scale for a, b in zip(self.a, self.b)]
        dc = self.fc2(nn.functional.gelu(self.fc1(torch.cat(deltas, dim=-1))))
        d = y.shape[-1] // 3
        return torch.cat([y[..., :2 * d], y[..., 2 * d:] + self.gate * dc], dim=-1)


def build(config, mode, rank, dcomp):
    args = dict(config.get("model_args", {}))
    model = timm.create_model(config["architecture"], pretrained=False, num_classes=config.get("num_classes", 1000), **args)
    if mode in ("lora", "kora"):
        model.requires_grad_(False)
        for block in model.blocks:
            block.attn.qkv = LoRALinear(block.attn.qkv, rank, rank) if mode == "lora" else KoRAQKV(block.attn.qkv, rank, rank, dcomp)
            block.attn.proj = LoRALinear(block.attn.proj, rank, rank)
            block.mlp.fc1 = LoRALinear(block.mlp.fc1, rank, rank)
            block.mlp.fc2 = LoRALinear(block.mlp.fc2, rank, rank)
        model.reset_classifier(config.get("num_classes", 1000))  # a new trainable head
        for p in model.head.parameters():
            p.requires_grad_(True)
    return model


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", required=True)
    p.add_argument("--mode", required=True, choices=["infer", "full", "lora", "kora"])
    p.add_argument("--dcomp", type=int, default=4)
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--rank", type=int, default=8)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--compile", action="store_true", help="run the model through torch.compile")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(11)
    config = json.load(open(a.model))
    dev = torch.device(a.device)
    model = build(config, a.mode, a.rank, a.dcomp).to(dev)
    img = config.get("model_args", {}).get("img_size", 224)
    classes = config.get("num_classes", 1000)
    images = torch.randn(a.batch, 3, img, img).to(dev)
    labels = torch.randint(0, classes, (a.batch,)).to(dev)
    trainable = [q for q in model.parameters() if q.requires_grad]
    if a.compile:
        model = torch.compile(model)
    optimizer = None if a.mode == "infer" else torch.optim.AdamW(trainable, lr=1e-4)
    model.train(optimizer is not None)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        if optimizer is None:
            with torch.no_grad():
                model(images)
            return
        optimizer.zero_grad(set_to_none=True)
        loss_fn(model(images), labels).backward()
        optimizer.step()

    median = median_ms(step, a.warmup, a.steps, a.device)
    extra = {"peak_device_mb": round(torch.cuda.max_memory_allocated() / 2**20, 2)} if a.device == "cuda" else {}
    print(json.dumps({**extra, "compiled": a.compile, "bench": "step_torch", "model": config["architecture"], "img_size": img, "mode": a.mode, "batch": a.batch,
                      "threads": a.threads, "device": a.device, "torch": torch.__version__, "images_per_second": round(a.batch / (median / 1e3), 2),
                      "ms_per_step": round(median, 2),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 2)}))


if __name__ == "__main__":
    main()
