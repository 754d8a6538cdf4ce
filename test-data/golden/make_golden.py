#!/usr/bin/env python3
"""Generate the golden parity cases for kora4j from PyTorch + timm.

Run from the repository root:  python test-data/golden/make_golden.py [--only CASE...]
(needs torch, timm, numpy, safetensors; see test-data/golden/README.md).

For every case this writes test-data/golden/<case>/ with config.json, backbone.safetensors,
[adapter_config.json, adapter.safetensors], batch.safetensors and expected.safetensors, in the
formats of the `parity` section of design/contracts.md. Expected values are computed in float64
from the F32 values stored in the files (the files are written first, then read back), and stored
as F32. Afterwards the same files are re-evaluated in float32 and compared with the contract
tolerances, as the Java side will do.

The backbone is timm's own VisionTransformer; the adapters are small modules written here from
design/kora-math.md and patched into it (LoRA and KoRA replace Linear children, KORA_SEED reads
the inputs of the target Linears through forward hooks and only changes what goes into the head).
"""

import hashlib
import json
import math
import platform
import sys
from pathlib import Path

import numpy as np
import safetensors
import safetensors.torch as st
import timm
import timm.layers
import torch
import torch.nn as nn
import torch.nn.functional as F

GOLDEN = Path(__file__).resolve().parent
ARCH = "vit_tiny_patch16_224"
ST_META = {"format": "pt"}

# Bit-identical re-runs: one thread (no reduction-order differences), deterministic kernels.
torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

# --------------------------------------------------------------------------------------------
# The cases
# --------------------------------------------------------------------------------------------
# model: the model_args of config.json. backbone_head: rows of head.weight in backbone.safetensors
# (may differ from num_classes when the adapter supplies the head).

CASES = [
    dict(
        name="full_ft",
        seed=101,
        about="full fine-tuning: no adapter, every backbone tensor is trainable",
        model=dict(img_size=24, patch_size=8, embed_dim=21, depth=2, num_heads=3, mlp_ratio=4.0),
        num_classes=5, backbone_head=5, batch=3,
        adapter=None,
    ),
    dict(
        name="lora_head",
        seed=202,
        about="LoRA r=4 on every attn.qkv/attn.proj/mlp.fc1/mlp.fc2 (suffixes), non-zero B, new head from the "
              "adapter (backbone head has another shape), mlp_ratio 2",
        model=dict(img_size=16, patch_size=4, embed_dim=20, depth=2, num_heads=2, mlp_ratio=2.0),
        num_classes=7, backbone_head=10, batch=2,
        adapter=dict(peft_type="LORA", r=4, lora_alpha=6, use_rslora=False,
                     target_modules=["attn.qkv", "attn.proj", "mlp.fc1", "mlp.fc2"], modules_to_save=["head"]),
    ),
    dict(
        name="lora_rslora_paths",
        seed=303,
        about="LoRA r=3 with use_rslora, target_modules as full paths in blocks 0 and 2 only "
              "(block 1 untouched), no modules_to_save (the backbone head is used, frozen)",
        model=dict(img_size=16, patch_size=8, embed_dim=28, depth=3, num_heads=4, mlp_ratio=4.0),
        num_classes=6, backbone_head=6, batch=3,
        adapter=dict(peft_type="LORA", r=3, lora_alpha=4, use_rslora=True,
                     target_modules=["blocks.0.attn.qkv", "blocks.0.mlp.fc1",
                                     "blocks.2.attn.proj", "blocks.2.mlp.fc2"],
                     modules_to_save=None),
    ),
    dict(
        name="kora_main",
        seed=404,
        about="README KoRA on every qkv (non-zero B_j, gate != 0) plus LoRA on proj/fc1/fc2, "
              "new head from the adapter (same shape as the backbone head, other values)",
        model=dict(img_size=12, patch_size=4, embed_dim=24, depth=2, num_heads=2, mlp_ratio=4.0),
        num_classes=8, backbone_head=8, batch=2,
        adapter=dict(peft_type="KORA", r=2, lora_alpha=3, use_rslora=False,
                     target_modules=["qkv"], composition_dim=3,
                     lora_targets=["proj", "fc1", "fc2"], modules_to_save=["head"],
                     gate=[0.7, -0.45]),
    ),
    dict(
        name="kora_gate0",
        seed=505,
        about="README KoRA with gate exactly 0 (non-zero B_j), no lora_targets, use_rslora, "
              "modules_to_save [] (backbone head, frozen): only the gate gets a non-zero gradient",
        model=dict(img_size=16, patch_size=8, embed_dim=15, depth=1, num_heads=3, mlp_ratio=4.0),
        num_classes=5, backbone_head=5, batch=3,
        adapter=dict(peft_type="KORA", r=3, lora_alpha=3, use_rslora=True,
                     target_modules=["qkv"], composition_dim=4,
                     lora_targets=[], modules_to_save=[],
                     gate=[0.0]),
    ),
    dict(
        name="kora_seed",
        seed=606,
        about="the seed notebook's KoRA (KORA_SEED), faithful: final_projection frozen, "
              "s = 1, seed_alpha 1; new head from the adapter (backbone head has another shape)",
        model=dict(img_size=16, patch_size=8, embed_dim=18, depth=2, num_heads=3, mlp_ratio=4.0),
        num_classes=10, backbone_head=4, batch=2,
        adapter=dict(peft_type="KORA_SEED", r=4, lora_alpha=4, use_rslora=False,
                     composition_dim=4, target_modules=["qkv", "proj", "fc1", "fc2"],
                     seed_alpha=1.0, train_final_projection=False, modules_to_save=["head"],
                     chain_gain=1.8),
    ),
    dict(
        name="kora_seed_train_fp",
        seed=707,
        about="KORA_SEED with train_final_projection true (final_projection gets gradients), "
              "s = 1.5, seed_alpha 0.5, backbone head same shape as the new head",
        model=dict(img_size=12, patch_size=4, embed_dim=21, depth=2, num_heads=7, mlp_ratio=4.0),
        num_classes=6, backbone_head=6, batch=3,
        adapter=dict(peft_type="KORA_SEED", r=2, lora_alpha=3, use_rslora=False,
                     composition_dim=3, target_modules=["qkv", "proj", "fc1", "fc2"],
                     seed_alpha=0.5, train_final_projection=True, modules_to_save=["head"],
                     chain_gain=1.8),
    ),
    # Real sizes (vit_tiny: width 192, 3 heads, 224 px / patch 16 = 197 tokens), so that the GEMM
    # tiles, thin kernels and attention are checked against PyTorch at the sizes users train.
    # One block keeps the files small; the KoRA case reads the LoRA case's backbone and batch.
    dict(
        name="vit_tiny_lora",
        seed=909,
        about="real size: vit_tiny width 192, 197 tokens, batch 2, one block; LoRA r=8 on "
              "qkv/proj/fc1/fc2 and the head from the adapter",
        model=dict(img_size=224, patch_size=16, embed_dim=192, depth=1, num_heads=3, mlp_ratio=4.0),
        num_classes=10, backbone_head=10, batch=2,
        adapter=dict(peft_type="LORA", r=8, lora_alpha=16, use_rslora=False,
                     target_modules=["attn.qkv", "attn.proj", "mlp.fc1", "mlp.fc2"], modules_to_save=["head"]),
    ),
    dict(
        name="vit_tiny_kora",
        seed=910,
        inputs_from="vit_tiny_lora",
        about="real size, as vit_tiny_lora (its backbone and batch): KoRA r=8, composition_dim 16 "
              "on qkv, gate 0.5, LoRA on proj/fc1/fc2, the head from the adapter",
        model=dict(img_size=224, patch_size=16, embed_dim=192, depth=1, num_heads=3, mlp_ratio=4.0),
        num_classes=10, backbone_head=10, batch=2,
        adapter=dict(peft_type="KORA", r=8, lora_alpha=16, use_rslora=False,
                     target_modules=["qkv"], composition_dim=16,
                     lora_targets=["proj", "fc1", "fc2"], modules_to_save=["head"],
                     gate=[0.5]),
    ),
]
REAL_SIZE = {"vit_tiny_lora", "vit_tiny_kora"}

PREFIX = "base_model.model."
SEED_PREFIX = PREFIX + "kora_seed."
BLOCK_LINEARS = ["attn.qkv", "attn.proj", "mlp.fc1", "mlp.fc2"]  # execution order in a block

RESAMPLE_SEED = 808
RESAMPLE_DIM = 6
RESAMPLE_SOURCE = (5, 5)
RESAMPLE_TARGETS = [(7, 7), (3, 3), (3, 7), (8, 4), (10, 10), (2, 2), (5, 5)]


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------

def write_json(path, obj, sort_keys=False):
    path.write_text(json.dumps(obj, indent=2, sort_keys=sort_keys) + "\n")


def save_st(path, tensors):
    """Store every tensor as a contiguous F32 (labels stay I64)."""
    out = {}
    for k, v in tensors.items():
        v = v.detach()
        out[k] = (v if v.dtype == torch.int64 else v.to(torch.float32)).contiguous().clone()
    st.save_file(out, str(path), metadata=ST_META)


def normal(gen, shape, std, mean=0.0):
    return torch.randn(*shape, generator=gen, dtype=torch.float64) * std + mean


def uniform(gen, shape, bound):
    return (torch.rand(*shape, generator=gen, dtype=torch.float64) * 2 - 1) * bound


def orthogonal(gen, n):
    q, r = torch.linalg.qr(normal(gen, (n, n), 1.0))
    return q * torch.sign(torch.diagonal(r))


def matches(module_name, targets):
    """PEFT's list rule: the name equals an entry or ends with '.' + entry."""
    return any(module_name == t or module_name.endswith("." + t) for t in targets)


def lora_scale(cfg):
    return cfg["lora_alpha"] / (math.sqrt(cfg["r"]) if cfg.get("use_rslora") else cfg["r"])


def target_linears(model, targets):
    """Linear modules of the backbone's blocks whose names match `targets`, in execution order.

    Only nn.Linear modules are adapted: patch_embed.proj is a Conv2d and is NOT matched by the
    suffix "proj" (PEFT would put a Conv2d LoRA on it; kora4j does not, see README)."""
    found = []
    for i in range(len(model.blocks)):
        for sub in BLOCK_LINEARS:
            name = f"blocks.{i}.{sub}"
            if matches(name, targets):
                found.append(name)
    every = [n for n, m in model.named_modules() if isinstance(m, nn.Linear) and matches(n, targets)]
    extra = set(every) - set(found)
    if extra:
        raise ValueError(f"targets {targets} match Linears outside the blocks: {sorted(extra)}")
    return found


def get_module(model, name):
    m = model
    for part in name.split("."):
        m = getattr(m, part)
    return m


def set_module(model, name, new):
    parent, _, leaf = name.rpartition(".")
    setattr(get_module(model, parent) if parent else model, leaf, new)


# --------------------------------------------------------------------------------------------
# Adapter modules (from design/kora-math.md; straightforward, unfused: they are the truth)
# --------------------------------------------------------------------------------------------

class LoraLinear(nn.Module):
    """y = base(x) + s * (x A^T) B^T   (kora-math.md §1; PEFT's Linear.forward without dropout)."""

    def __init__(self, base, A, B, s):
        super().__init__()
        self.base, self.A, self.B, self.s = base, A, B, s

    def forward(self, x):
        return self.base(x) + self.s * F.linear(F.linear(x, self.A), self.B)


class KoraQKV(nn.Module):
    """README KoRA on attn.qkv (kora-math.md §2): v' = v + g * fc2(GELU(fc1([dq; dk; dv])))."""

    def __init__(self, base, p, s):
        super().__init__()
        self.base, self.p, self.s = base, p, s   # p: dict of Parameters (q/k/v A and B, W1..g)

    def forward(self, x):
        y = self.base(x)                                  # [..., 3D] = [q; k; v]
        D = y.shape[-1] // 3
        deltas = []
        for j in "qkv":
            u = F.linear(x, self.p[f"A_{j}"])             # u_j = x A_j^T
            deltas.append(self.s * F.linear(u, self.p[f"B_{j}"]))   # delta_j = s u_j B_j^T
        c = torch.cat(deltas, dim=-1)                     # [..., 3D]
        pre = F.linear(c, self.p["W1"], self.p["b1"])
        h = F.gelu(pre, approximate="none")
        dc = F.linear(h, self.p["W2"], self.p["b2"])
        q, k, v = y[..., :D], y[..., D:2 * D], y[..., 2 * D:]
        return torch.cat([q, k, v + self.p["g"] * dc], dim=-1)


class KoraSeedModel(nn.Module):
    """The seed notebook's KoRA (kora-math.md §5, seed-protocol.md §5.4): a side network on the
    detached inputs of the target Linears of an unmodified backbone."""

    def __init__(self, vit, stage_names, p, cfg):
        super().__init__()
        self.vit = vit
        self.stage_names = stage_names
        self.p = p
        self.s = lora_scale(cfg)
        self.alpha = cfg["seed_alpha"]
        self.captured = []
        for name in stage_names:
            get_module(vit, name).register_forward_hook(self._hook(name))

    def _hook(self, name):
        def hook(module, inputs, output):
            self.captured.append((name, inputs[0].detach()))
        return hook

    def forward(self, images):
        self.captured = []
        feats = self.vit.forward_features(images)
        cls = self.vit.forward_head(feats, pre_logits=True)   # class token after the final norm
        assert [n for n, _ in self.captured] == self.stage_names, "hook order != execution order"
        c = None
        for l, (_, X) in enumerate(self.captured):
            A, B, P = (self.p[f"adapters.{l}.{k}.weight"] for k in ("lora_A", "lora_B", "proj"))
            U = self.s * F.linear(F.linear(X, A), B)          # [B, N, out]
            pl = F.linear(U, P).mean(dim=1)                   # mean over all tokens (CLS too)
            if l > 0:
                pl = pl + F.gelu(F.linear(c, self.p[f"psi.{l - 1}.weight"], self.p[f"psi.{l - 1}.bias"]))
            c = F.gelu(F.linear(pl, self.p[f"phi.{l}.weight"], self.p[f"phi.{l}.bias"]))
        delta = F.linear(c, self.p["final_projection.weight"], self.p["final_projection.bias"])
        return self.vit.head(cls + self.alpha * delta)


# --------------------------------------------------------------------------------------------
# Building a model from the files (used for expected values in F64 and the self-check in F32)
# --------------------------------------------------------------------------------------------

def case_file(case_dir, fname):
    """A case's file; a case with inputs_from reads that case's backbone and batch."""
    own = case_dir / fname
    source = next((c.get("inputs_from") for c in CASES if c["name"] == case_dir.name), None)
    if own.exists() or source is None:
        return own
    return GOLDEN / source / fname


def load_case(case_dir, dtype):
    """Returns (model, trainable: dict file-name -> Parameter, frozen_in_adapter: list)."""
    cfg = json.loads((case_dir / "config.json").read_text())
    vit = timm.create_model(cfg["architecture"], pretrained=False,
                            num_classes=cfg["num_classes"], **cfg["model_args"])
    sd = st.load_file(str(case_file(case_dir, "backbone.safetensors")))
    adapter_cfg = None
    adapter = {}
    if (case_dir / "adapter_config.json").exists():
        adapter_cfg = json.loads((case_dir / "adapter_config.json").read_text())
        adapter = st.load_file(str(case_dir / "adapter.safetensors"))
    saves_head = bool(adapter_cfg and adapter_cfg.get("modules_to_save"))
    if tuple(sd["head.weight"].shape) != tuple(vit.head.weight.shape):
        # contracts.md: a head of another shape is replaced; here only the adapter may replace it
        # (a freshly initialised head would not be reproducible across implementations).
        assert saves_head, "backbone head shape differs and the adapter supplies no head"
        sd = {k: v for k, v in sd.items() if not k.startswith("head.")}
        missing = vit.load_state_dict(sd, strict=False).missing_keys
        assert sorted(missing) == ["head.bias", "head.weight"], missing
    else:
        vit.load_state_dict(sd, strict=True)
    vit = vit.to(dtype).eval()

    if adapter_cfg is None:            # full fine-tuning: every backbone tensor
        trainable = dict(vit.named_parameters())
        assert set(trainable) == set(sd), "parameter names != backbone file names"
        return vit, trainable, []

    for prm in vit.parameters():
        prm.requires_grad_(False)
    adapter = {k: nn.Parameter(v.to(dtype)) for k, v in adapter.items()}
    used = set()

    def take(name):
        used.add(name)
        return adapter[name]

    if saves_head:
        assert adapter_cfg["modules_to_save"] == ["head"]
        vit.head.weight = take(PREFIX + "head.weight")
        vit.head.bias = take(PREFIX + "head.bias")

    ptype = adapter_cfg["peft_type"]
    assert adapter_cfg.get("bias", "none") == "none" and adapter_cfg.get("lora_dropout", 0.0) == 0.0
    s = lora_scale(adapter_cfg)
    frozen = []
    model = vit
    if ptype in ("LORA", "KORA"):
        lora_t = adapter_cfg["target_modules"] if ptype == "LORA" else adapter_cfg["lora_targets"]
        kora_names = target_linears(vit, adapter_cfg["target_modules"]) if ptype == "KORA" else []
        assert all(n.endswith("attn.qkv") for n in kora_names)
        lora_names = target_linears(vit, lora_t)
        assert not set(kora_names) & set(lora_names), "a module is both KoRA and LoRA"
        for name in lora_names:
            pre = PREFIX + name
            set_module(vit, name, LoraLinear(get_module(vit, name), take(pre + ".lora_A.weight"),
                                             take(pre + ".lora_B.weight"), s))
        for name in kora_names:
            pre = PREFIX + name
            p = {f"A_{j}": take(f"{pre}.kora_{j}.lora_A.weight") for j in "qkv"}
            p.update({f"B_{j}": take(f"{pre}.kora_{j}.lora_B.weight") for j in "qkv"})
            p.update(W1=take(pre + ".kora_compose.fc1.weight"), b1=take(pre + ".kora_compose.fc1.bias"),
                     W2=take(pre + ".kora_compose.fc2.weight"), b2=take(pre + ".kora_compose.fc2.bias"),
                     g=take(pre + ".kora_gate"))
            set_module(vit, name, KoraQKV(get_module(vit, name), p, s))
    elif ptype == "KORA_SEED":
        stages = target_linears(vit, adapter_cfg["target_modules"])
        p = {k[len(SEED_PREFIX):]: take(k) for k in adapter if k.startswith(SEED_PREFIX)}
        if not adapter_cfg["train_final_projection"]:
            for k in ("final_projection.weight", "final_projection.bias"):
                p[k].requires_grad_(False)
                frozen.append(SEED_PREFIX + k)
        model = KoraSeedModel(vit, stages, p, adapter_cfg)
    else:
        raise ValueError(ptype)
    assert used == set(adapter), f"unused adapter tensors: {sorted(set(adapter) - used)}"
    trainable = {k: v for k, v in adapter.items() if k not in frozen}
    return model, trainable, frozen


def evaluate(case_dir, dtype):
    model, trainable, frozen = load_case(case_dir, dtype)
    batch = st.load_file(str(case_file(case_dir, "batch.safetensors")))
    logits = model(batch["images"].to(dtype))
    loss = F.cross_entropy(logits, batch["labels"])      # mean, no label smoothing
    loss.backward()
    out = {"logits": logits.detach(), "loss": loss.detach()}
    for name, prm in trainable.items():
        out["grad." + name] = prm.grad.detach() if prm.grad is not None else torch.zeros_like(prm)
    return out, frozen


# --------------------------------------------------------------------------------------------
# Generating a case's inputs
# --------------------------------------------------------------------------------------------

def random_backbone(case, gen):
    """timm names and shapes, random values (not timm's init): well-scaled activations,
    non-trivial LayerNorm affine, class token and position embedding."""
    ma = case["model"]
    vit = timm.create_model(ARCH, pretrained=False, num_classes=case["backbone_head"],
                            qkv_bias=True, **ma)
    sd = {}
    for name, t in vit.state_dict().items():
        shape = tuple(t.shape)
        if name in ("cls_token", "pos_embed"):
            v = normal(gen, shape, 0.5)
        elif "norm" in name and name.endswith(".weight"):
            v = normal(gen, shape, 0.25, 1.0)
        elif "norm" in name and name.endswith(".bias"):
            v = normal(gen, shape, 0.2)
        elif name.endswith(".weight"):
            fan_in = int(np.prod(shape[1:]))
            v = normal(gen, shape, 1.0 / math.sqrt(fan_in))
        elif name.endswith(".bias"):
            v = normal(gen, shape, 0.1)
        else:
            raise ValueError(name)
        sd[name] = v
    return sd


def random_adapter(case, gen):
    """Adapter tensors with the names of kora-math.md §3/§5. Every B is non-zero."""
    a, ma = case["adapter"], case["model"]
    D = ma["embed_dim"]
    hidden = int(D * ma["mlp_ratio"])
    shapes = {"attn.qkv": (D, 3 * D), "attn.proj": (D, D), "mlp.fc1": (D, hidden), "mlp.fc2": (hidden, D)}
    r = a["r"]
    t = {}

    def lora_pair(pre, fin, fout):
        t[pre + ".lora_A.weight"] = uniform(gen, (r, fin), 1.0 / math.sqrt(fin))   # PEFT's A init
        t[pre + ".lora_B.weight"] = normal(gen, (fout, r), 0.3)                     # non-zero B

    depth = ma["depth"]
    names = [f"blocks.{i}.{sub}" for i in range(depth) for sub in BLOCK_LINEARS]
    ptype = a["peft_type"]
    if ptype == "LORA":
        for n in names:
            if matches(n, a["target_modules"]):
                lora_pair(PREFIX + n, *shapes[n.split(".", 2)[2]])
    elif ptype == "KORA":
        dc = a["composition_dim"]
        gates = iter(a["gate"])
        for n in names:
            sub = n.split(".", 2)[2]
            pre = PREFIX + n
            if sub == "attn.qkv" and matches(n, a["target_modules"]):
                for j in "qkv":
                    t[f"{pre}.kora_{j}.lora_A.weight"] = uniform(gen, (r, D), 1.0 / math.sqrt(D))
                    t[f"{pre}.kora_{j}.lora_B.weight"] = normal(gen, (D, r), 0.3)
                t[pre + ".kora_compose.fc1.weight"] = normal(gen, (dc, 3 * D), 1.5 / math.sqrt(3 * D))
                t[pre + ".kora_compose.fc1.bias"] = normal(gen, (dc,), 0.3)
                t[pre + ".kora_compose.fc2.weight"] = normal(gen, (D, dc), 1.0 / math.sqrt(dc))
                t[pre + ".kora_compose.fc2.bias"] = normal(gen, (D,), 0.3)
                t[pre + ".kora_gate"] = torch.tensor([next(gates)], dtype=torch.float64)
            elif matches(n, a["lora_targets"]):
                lora_pair(pre, *shapes[sub])
    elif ptype == "KORA_SEED":
        dc = a["composition_dim"]
        stages = [n for n in names if matches(n, a["target_modules"])]
        for l, n in enumerate(stages):
            fin, fout = shapes[n.split(".", 2)[2]]
            pre = f"{SEED_PREFIX}adapters.{l}"
            lora_pair(pre, fin, fout)
            t[pre + ".proj.weight"] = normal(gen, (dc, fout), 2.0 / math.sqrt(fout))
        # the chain: scaled random orthogonal matrices keep the pre-activations of all stages in a
        # moderate range (neither exploding nor vanishing gradients along 4*depth stages)
        gain = a["chain_gain"]
        for l in range(len(stages)):
            t[f"{SEED_PREFIX}phi.{l}.weight"] = gain * orthogonal(gen, dc)
            t[f"{SEED_PREFIX}phi.{l}.bias"] = normal(gen, (dc,), 0.3)
        for l in range(len(stages) - 1):
            t[f"{SEED_PREFIX}psi.{l}.weight"] = gain * orthogonal(gen, dc)
            t[f"{SEED_PREFIX}psi.{l}.bias"] = normal(gen, (dc,), 0.3)
        t[SEED_PREFIX + "final_projection.weight"] = normal(gen, (D, dc), 1.0 / math.sqrt(dc))
        t[SEED_PREFIX + "final_projection.bias"] = normal(gen, (D,), 0.3)
    else:
        raise ValueError(ptype)
    if a.get("modules_to_save"):
        t[PREFIX + "head.weight"] = normal(gen, (case["num_classes"], D), 1.0 / math.sqrt(D))
        t[PREFIX + "head.bias"] = normal(gen, (case["num_classes"],), 0.1)
    return t


def adapter_config(case):
    a = case["adapter"]
    cfg = dict(peft_type=a["peft_type"], r=a["r"], lora_alpha=a["lora_alpha"],
               target_modules=a["target_modules"], modules_to_save=a["modules_to_save"],
               lora_dropout=0.0, bias="none", use_rslora=a["use_rslora"])
    if a["peft_type"] == "KORA":
        cfg.update(composition_dim=a["composition_dim"], lora_targets=a["lora_targets"])
    if a["peft_type"] == "KORA_SEED":
        cfg.update(composition_dim=a["composition_dim"], seed_alpha=a["seed_alpha"],
                   train_final_projection=a["train_final_projection"])
    return cfg


def make_case(case):
    d = GOLDEN / case["name"]
    d.mkdir(exist_ok=True)
    for f in d.iterdir():
        f.unlink()
    gen = torch.Generator().manual_seed(case["seed"])
    write_json(d / "config.json", {
        "architecture": ARCH,
        "num_classes": case["num_classes"],
        "model_args": {**case["model"], "qkv_bias": True},
    })
    if "inputs_from" not in case:
        save_st(d / "backbone.safetensors", random_backbone(case, gen))
    if case["adapter"] is not None:
        write_json(d / "adapter_config.json", adapter_config(case), sort_keys=True)
        save_st(d / "adapter.safetensors", random_adapter(case, gen))
    ma = case["model"]
    if "inputs_from" not in case:
        save_st(d / "batch.safetensors", {
            "images": normal(gen, (case["batch"], 3, ma["img_size"], ma["img_size"]), 1.0),
            "labels": torch.randint(0, case["num_classes"], (case["batch"],), generator=gen),
        })
    expected, _ = evaluate(d, torch.float64)
    save_st(d / "expected.safetensors", expected)


# --------------------------------------------------------------------------------------------
# Position-embedding resampling
# --------------------------------------------------------------------------------------------

def resample_f64(posemb, new_size, old_size):
    """timm.layers.resample_abs_pos_embed's steps without its cast to float32 (timm 1.0.29 runs
    F.interpolate in float32 whatever the input dtype)."""
    prefix, grid = posemb[:, :1], posemb[:, 1:]
    D = grid.shape[-1]
    grid = grid.reshape(1, old_size[0], old_size[1], D).permute(0, 3, 1, 2)
    grid = F.interpolate(grid, size=list(new_size), mode="bicubic", antialias=True)
    grid = grid.permute(0, 2, 3, 1).reshape(1, -1, D)
    return torch.cat([prefix, grid], dim=1)


def aa_bicubic_weights(n_in, n_out):
    """Independent numpy statement of PyTorch's antialiased bicubic (PIL-style) 1-D weights:
    scale = n_in/n_out, support = 2*max(scale,1), centre = scale*(i+0.5), Keys cubic a = -0.5
    evaluated at (j - centre + 0.5)/max(scale,1), taps clipped to [0, n_in) and renormalised."""
    scale = n_in / n_out
    fs = max(scale, 1.0)
    support = 2.0 * fs
    a = -0.5

    def cubic(x):
        x = abs(x)
        if x < 1:
            return ((a + 2) * x - (a + 3)) * x * x + 1
        if x < 2:
            return (((x - 5) * x + 8) * x - 4) * a
        return 0.0

    W = np.zeros((n_out, n_in))
    for i in range(n_out):
        centre = scale * (i + 0.5)
        lo = max(int(centre - support + 0.5), 0)
        hi = min(int(centre + support + 0.5), n_in)
        w = np.array([cubic((j - centre + 0.5) / fs) for j in range(lo, hi)])
        W[i, lo:hi] = w / w.sum()
    return W


def make_resample():
    d = GOLDEN / "pos_embed_resample"
    d.mkdir(exist_ok=True)
    for f in d.iterdir():
        f.unlink()
    gen = torch.Generator().manual_seed(RESAMPLE_SEED)
    h0, w0 = RESAMPLE_SOURCE
    posemb = normal(gen, (1, 1 + h0 * w0, RESAMPLE_DIM), 1.0).to(torch.float32).to(torch.float64)
    tensors = {"input": posemb}
    listing = []
    for (H, W) in RESAMPLE_TARGETS:
        name = f"expected_{H}x{W}"
        if (H, W) == (h0, w0):
            ref = posemb.clone()          # timm returns the input unchanged (no-op)
        else:
            ref = resample_f64(posemb, (H, W), (h0, w0))
        timm_out = timm.layers.resample_abs_pos_embed(posemb, new_size=[H, W], num_prefix_tokens=1)
        err_timm = (timm_out - ref).abs().max().item()
        assert err_timm < 1e-5, (name, err_timm)         # timm interpolates in float32
        grid = posemb[0, 1:].reshape(h0, w0, -1).numpy()
        mine = np.einsum("ia,jb,abd->ijd", aa_bicubic_weights(h0, H), aa_bicubic_weights(w0, W), grid)
        err_np = np.abs(mine.reshape(H * W, -1) - ref[0, 1:].numpy()).max()
        assert err_np < 1e-12, (name, err_np)
        print(f"  resample {h0}x{w0} -> {H}x{W}: |timm(f32) - ref| {err_timm:.1e}, "
              f"|numpy PIL-style - ref| {err_np:.1e}")
        tensors[name] = ref
        listing.append({"target_grid": [H, W], "tensor": name, "tokens": 1 + H * W})
    save_st(d / "resample.safetensors", tensors)
    write_json(d / "cases.json", {
        "function": "timm.layers.resample_abs_pos_embed(posemb, new_size=[H, W], num_prefix_tokens=1)",
        "interpolation": "bicubic",
        "antialias": True,
        "num_prefix_tokens": 1,
        "input": "input",
        "source_grid": [h0, w0],
        "embed_dim": RESAMPLE_DIM,
        "cases": listing,
    })


# --------------------------------------------------------------------------------------------
# Self-checks
# --------------------------------------------------------------------------------------------

def rel_err(got, ref):
    d = (got.double() - ref.double()).norm().item()
    n = ref.double().norm().item()
    return d, n


def check_case(case):
    """Reload the files, rebuild in float32, compare with expected.safetensors (contract
    tolerances) and make sure every gradient that should be non-zero is."""
    d = GOLDEN / case["name"]
    exp = st.load_file(str(d / "expected.safetensors"))
    got, frozen = evaluate(d, torch.float32)
    assert set(got) == set(exp), sorted(set(got) ^ set(exp))
    adapter_names = set()
    if (d / "adapter.safetensors").exists():
        adapter_names = set(st.load_file(str(d / "adapter.safetensors")))
        assert {k[5:] for k in exp if k.startswith("grad.")} == adapter_names - set(frozen)
    else:
        assert {k[5:] for k in exp if k.startswith("grad.")} == set(st.load_file(str(d / "backbone.safetensors")))
    # which expected gradients are exactly zero by the maths (kora-math.md §2: gate 0)
    gate0 = case["adapter"] is not None and case["adapter"]["peft_type"] == "KORA" \
        and all(g == 0 for g in case["adapter"]["gate"])
    worst = {}
    lines = []
    for k in sorted(exp):
        dn, rn = rel_err(got[k], exp[k])
        is_grad = k.startswith("grad.")
        tol = 1e-3 if is_grad else 1e-4
        if rn <= 1e-6:
            ok = dn <= 1e-6
            r = dn
        else:
            r = dn / rn
            ok = r <= tol
        assert ok, f"{case['name']}: {k} err {r:.2e} (ref norm {rn:.2e})"
        kind = "grad" if is_grad else k
        worst[kind] = max(worst.get(kind, 0.0), r)
        # per element, in units of the tensor's RMS (the Java tests' atol for sums)
        rms = max(rn / math.sqrt(max(1, exp[k].numel())), 1e-30)
        per_element = ((got[k].double() - exp[k].double()).abs().max().item()) / rms
        worst["per element"] = max(worst.get("per element", 0.0), per_element)
        if is_grad:
            should_be_zero = gate0 and ".kora_" in k and not k.endswith("kora_gate")
            if should_be_zero:
                assert rn == 0.0, f"{k} should be exactly zero, norm {rn}"
            else:
                assert rn > 1e-4, f"{case['name']}: gradient {k} is (nearly) zero: {rn:.3e}"
            lines.append(f"      {k:<70s} |g| {rn:10.4e}  rel.err(f32) {r:.1e}"
                         + ("  (zero by the maths)" if should_be_zero else ""))
    print(f"  {case['name']}: loss {exp['loss'].item():.6f}, |logits| {exp['logits'].norm():.4f}; "
          f"worst f32 rel. errors: " + ", ".join(f"{k} {v:.1e}" for k, v in worst.items()))
    for line in lines:
        print(line)
    if frozen:
        print(f"      not trainable, no grad entry: {', '.join(frozen)}")
    return worst


def check_fused_kora():
    """kora-math.md §4's fused backward formulas against autograd of the unfused KoraQKV, in
    float64, on the kora_main case's block 0 (a check of the design document, not of files)."""
    d = GOLDEN / "kora_main"
    model, _, _ = load_case(d, torch.float64)
    m = model.blocks[0].attn.qkv
    cfg = json.loads((d / "adapter_config.json").read_text())
    s = lora_scale(cfg)
    gen = torch.Generator().manual_seed(1)
    D = m.base.in_features
    x = normal(gen, (11, D), 1.0).requires_grad_(True)
    dy = normal(gen, (11, 3 * D), 1.0)
    p = m.p
    (m(x) * dy).sum().backward()
    with torch.no_grad():
        A = torch.cat([p["A_q"], p["A_k"], p["A_v"]])                      # [3r, D]
        Bh = s * torch.block_diag(p["B_q"], p["B_k"], p["B_v"])            # [3D, 3r]
        M = p["W1"] @ Bh
        u = x @ A.T
        pre = u @ M.T + p["b1"]
        h = F.gelu(pre)
        dc = h @ p["W2"].T + p["b2"]
        dvp = dy[:, 2 * D:]
        g = p["g"]
        ddc = g * dvp
        dg = (dvp * dc).sum()
        dW2 = ddc.T @ h
        db2 = ddc.sum(0)
        dh = ddc @ p["W2"]
        gelu_d = 0.5 * (1 + torch.erf(pre / math.sqrt(2))) + pre * torch.exp(-pre ** 2 / 2) / math.sqrt(2 * math.pi)
        dpre = dh * gelu_d
        db1 = dpre.sum(0)
        G = dpre.T @ u
        dW1 = G @ Bh.T
        r = p["A_q"].shape[0]
        du = dpre @ M
        fused = {"g": dg.reshape(1), "W2": dW2, "b2": db2, "b1": db1, "W1": dW1}
        for i, j in enumerate("qkv"):
            fused[f"B_{j}"] = s * p["W1"][:, i * D:(i + 1) * D].T @ G[:, i * r:(i + 1) * r]
            fused[f"A_{j}"] = du[:, i * r:(i + 1) * r].T @ x
        dx = dy @ m.base.weight + du @ A
    for k, v in fused.items():
        e = (v - p[k].grad).abs().max().item()
        assert e < 1e-12, (k, e)
    e = (dx - x.grad).abs().max().item()
    assert e < 1e-12, ("dx", e)
    print("  kora-math.md §4 fused backward == autograd of the unfused KoRA (float64, max err < 1e-12)")


def check_lora_merge():
    """LoRA's merge rule W <- W + s*B*A (kora-math.md §1, PEFT's get_delta_weight) applied to a
    plain timm model must give the same logits: checks the name/shape convention A [r,in],
    B [out,r] and the scaling independently of LoraLinear."""
    for case in CASES:
        if case["adapter"] is None or case["adapter"]["peft_type"] != "LORA":
            continue
        d = GOLDEN / case["name"]
        model, _, _ = load_case(d, torch.float64)
        cfg = json.loads((d / "config.json").read_text())
        acfg = json.loads((d / "adapter_config.json").read_text())
        a = {k: v.double() for k, v in st.load_file(str(d / "adapter.safetensors")).items()}
        sd = {k: v.double() for k, v in st.load_file(str(case_file(d, "backbone.safetensors"))).items()}
        for k in list(a):
            if k.endswith(".lora_A.weight"):
                mod = k[len(PREFIX):-len(".lora_A.weight")]
                sd[mod + ".weight"] = sd[mod + ".weight"] + lora_scale(acfg) * a[k.replace("lora_A", "lora_B")] @ a[k]
        if acfg.get("modules_to_save"):
            sd["head.weight"], sd["head.bias"] = a[PREFIX + "head.weight"], a[PREFIX + "head.bias"]
        plain = timm.create_model(cfg["architecture"], pretrained=False, num_classes=cfg["num_classes"],
                                  **cfg["model_args"]).double().eval()
        plain.load_state_dict(sd)
        images = st.load_file(str(case_file(d, "batch.safetensors")))["images"].double()
        with torch.no_grad():
            e = (plain(images) - model(images)).abs().max().item()
        assert e < 1e-12, (case["name"], e)
        print(f"  {case['name']}: merged W + s*B*A in a plain timm model gives the same logits ({e:.1e})")


def check_adapters_matter():
    """The adapters must change the outputs (otherwise a Java side ignoring them would pass)."""
    for case in CASES:
        if case["adapter"] is None or case["adapter"]["peft_type"] == "KORA_SEED":
            continue
        d = GOLDEN / case["name"]
        exp, _ = evaluate(d, torch.float64)
        a = st.load_file(str(d / "adapter.safetensors"))
        # zero every LoRA B / kora gate, keep the head: logits must differ unless gate is 0
        zeroed = {k: (torch.zeros_like(v) if k.endswith("lora_B.weight") or k.endswith("kora_gate") else v)
                  for k, v in a.items()}
        tmp = GOLDEN / (".tmp_" + case["name"])
        tmp.mkdir(exist_ok=True)
        for f in ("config.json", "backbone.safetensors", "adapter_config.json", "batch.safetensors"):
            (tmp / f).write_bytes(case_file(d, f).read_bytes())
        st.save_file(zeroed, str(tmp / "adapter.safetensors"))
        got, _ = evaluate(tmp, torch.float64)
        for f in tmp.iterdir():
            f.unlink()
        tmp.rmdir()
        dn, rn = rel_err(got["logits"], exp["logits"])
        gate0 = case["adapter"]["peft_type"] == "KORA" and all(g == 0 for g in case["adapter"]["gate"])
        print(f"  {case['name']}: logits change by {dn / rn:.2f} (relative) when B and gates are zeroed")
        if gate0:
            assert dn / rn < 1e-12
        else:
            assert dn / rn > 0.05


def digest():
    h = hashlib.sha256()
    for f in sorted(GOLDEN.rglob("*")):
        if f.is_file() and f.suffix in (".json", ".safetensors"):
            h.update(str(f.relative_to(GOLDEN)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def main():
    versions = dict(python=platform.python_version(), torch=torch.__version__, timm=timm.__version__,
                    numpy=np.__version__, safetensors=safetensors.__version__)
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    only = set(sys.argv[2:]) if sys.argv[1:2] == ["--only"] else None  # remake just these cases
    chosen = [c for c in CASES if only is None or c["name"] in only]
    for case in chosen:
        make_case(case)
    if only is None:
        make_resample()
    write_json(GOLDEN / "index.json", {
        "cases": [{"name": c["name"], "about": c["about"],
                   "adapter": c["adapter"]["peft_type"] if c["adapter"] else None,
                   **({"inputs_from": c["inputs_from"]} if "inputs_from" in c else {})}
                  for c in CASES],
        "pos_embed_resample": "pos_embed_resample/cases.json",
    })
    print("self-check (files reloaded, rebuilt in float32, contract tolerances):")
    for case in chosen:
        check_case(case)
    check_fused_kora()
    check_lora_merge()
    check_adapters_matter()
    total = 0
    # the folders this script writes (optim/, loss_and_preprocess/ and peft/ have scripts of their own)
    for d in sorted(GOLDEN / name for name in [c["name"] for c in CASES] + ["pos_embed_resample"]):
        size = sum(f.stat().st_size for f in d.iterdir())
        total += size
        assert size < (4_000_000 if d.name in REAL_SIZE else 200_000), (d.name, size)
        print(f"  {d.name}: {size} bytes")
    print(f"total {total} bytes; sha256 of all generated files {digest()}")


if __name__ == "__main__":
    sys.exit(main())
