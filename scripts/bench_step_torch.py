#!/usr/bin/env python3
"""Whole training steps of a timm ViT in PyTorch eager (float32, CPU), timed as `kora bench step`
times ours: random images and labels, AdamW over what trains, median ms of the timed steps.
Modes: infer (forward, no autograd), full (every parameter), lora (LoRA r on qkv, proj, fc1, fc2 with
alpha = r, plus a new trainable head). Prints one JSON line.
Usage: bench_step_torch.py --model CONFIG.json --mode lora --batch 8 [--rank 8 --steps 10 --warmup 3 --threads 2]"""
import argparse
import json
import math
import resource
import statistics
import time

import timm
import torch
import torch.nn as nn


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


def build(config, mode, rank):
    args = dict(config.get("model_args", {}))
    model = timm.create_model(config["architecture"], pretrained=False, num_classes=config.get("num_classes", 1000), **args)
    if mode == "lora":
        model.requires_grad_(False)
        for block in model.blocks:
            block.attn.qkv = LoRALinear(block.attn.qkv, rank, rank)
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
    p.add_argument("--mode", required=True, choices=["infer", "full", "lora"])
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--rank", type=int, default=8)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(11)
    config = json.load(open(a.model))
    model = build(config, a.mode, a.rank)
    img = config.get("model_args", {}).get("img_size", 224)
    classes = config.get("num_classes", 1000)
    images = torch.randn(a.batch, 3, img, img)
    labels = torch.randint(0, classes, (a.batch,))
    trainable = [q for q in model.parameters() if q.requires_grad]
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

    ms = []
    for i in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        step()
        t1 = time.perf_counter()
        if i >= a.warmup:
            ms.append((t1 - t0) * 1e3)
    median = statistics.median(ms)
    print(json.dumps({"bench": "step_torch", "model": config["architecture"], "img_size": img, "mode": a.mode, "batch": a.batch,
                      "threads": a.threads, "torch": torch.__version__, "images_per_second": round(a.batch / (median / 1e3), 2),
                      "ms_per_step": round(median, 2),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 2)}))


if __name__ == "__main__":
    main()
