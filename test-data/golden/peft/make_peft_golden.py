#!/usr/bin/env python3
"""Golden cases made by the real PEFT (0.21) and timm (1.0.29), for kora4j's PEFT-fidelity tests.

Run from the repository root:  python test-data/golden/peft/make_peft_golden.py
(needs torch, timm, peft, numpy, safetensors; see test-data/golden/peft/README.md).

Every adapter here is built by `peft.get_peft_model` on a `timm.create_model("vit_tiny_patch16_224",
...)` model and written by PEFT's own `save_pretrained`; nothing in `adapter/` is written by hand.
The script only puts non-trivial values into PEFT's own parameters in memory before saving.

For every case it writes test-data/golden/peft/<case>/ with config.json, backbone.safetensors,
adapter/ (PEFT's adapter_config.json and adapter_model.safetensors), batch.safetensors and
expected.safetensors (logits, loss and grad.<file key> for every tensor of adapter_model.safetensors,
computed by PEFT's own forward/backward in float64 on the F32 values stored in the files), plus
keys.json (the key lists, and the modules PEFT adapts with their r and scaling).

Self-checks (asserted, and printed): PeftModel.from_pretrained reloads every case in float32 without
"missing adapter keys" and reproduces the logits; the float32 rerun's logits, loss and gradients agree
with the float64 ones; every gradient is non-zero; an independent re-statement of the maths (merged
effective weights in a plain timm model, with the DoRA norm detached) reproduces PEFT's float64
logits and gradients; the selection rules the README states reproduce the modules PEFT adapts and
the r/scaling it gives them; a SHA-256 over all generated files is printed.
"""

import os
import sys

# PEFT keeps `target_modules` as a Python set and writes it as a list in the set's iteration order,
# which depends on string hashing. Fix the hash seed (re-executing once) so reruns give identical
# adapter_config.json files. Also never touch the network.
if os.environ.get("PYTHONHASHSEED") != "0" or os.environ.get("HF_HUB_OFFLINE") != "1":
    env = dict(os.environ, PYTHONHASHSEED="0", HF_HUB_OFFLINE="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

import hashlib
import json
import math
import platform
import re
import shutil
import warnings
from pathlib import Path

import numpy as np
import peft
import safetensors
import safetensors.torch as st
import timm
import torch
import torch.nn as nn
import torch.nn.functional as F
from peft import LoraConfig, PeftModel, get_peft_model, get_peft_model_state_dict
from safetensors import safe_open

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from make_golden import normal, save_st, uniform, write_json  # noqa: E402  the golden cases' own helpers

HERE = Path(__file__).resolve().parent
ARCH = "vit_tiny_patch16_224"
ST_META = {"format": "pt"}
PREFIX = "base_model.model."

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)
torch.manual_seed(0)   # nothing below draws from the global generator, but PEFT's init does

# --------------------------------------------------------------------------------------------
# The cases. lora: the LoraConfig arguments (lora_dropout 0 and bias "none" are added to all).
# --------------------------------------------------------------------------------------------

TARGETS4 = ["qkv", "proj", "fc1", "fc2"]

CASES = [
    dict(
        name="default_targets",
        seed=1101,
        about="LoRA r=4 alpha 8 on the suffixes qkv/proj/fc1/fc2: PEFT also adapts the Conv2d "
              "patch_embed.proj (conv LoRA); the head is saved whole (modules_to_save)",
        model=dict(img_size=16, patch_size=4, embed_dim=24, depth=2, num_heads=2, mlp_ratio=4.0),
        num_classes=5, batch=2,
        lora=dict(r=4, lora_alpha=8, target_modules=TARGETS4, modules_to_save=["head"]),
    ),
    dict(
        name="dora",
        seed=1202,
        about="DoRA r=4 alpha 6 on qkv/proj/fc1/fc2 (the Conv2d patch embedding gets DoRA too), "
              "backbone head frozen",
        model=dict(img_size=16, patch_size=8, embed_dim=30, depth=2, num_heads=3, mlp_ratio=2.0),
        num_classes=6, batch=3,
        lora=dict(r=4, lora_alpha=6, target_modules=TARGETS4, use_dora=True),
    ),
    dict(
        name="dora_rslora_regex",
        seed=1303,
        about="DoRA + rsLoRA r=3 alpha 5 (s=5/sqrt 3), target_modules a regex string that PEFT "
              "full-matches against module names: qkv of blocks 0 and 2 and every fc2",
        model=dict(img_size=16, patch_size=4, embed_dim=28, depth=3, num_heads=2, mlp_ratio=2.0),
        num_classes=7, batch=2,
        lora=dict(r=3, lora_alpha=5, target_modules=r"blocks\.[02]\.attn\.qkv|.*\.fc2",
                  use_dora=True, use_rslora=True),
    ),
    dict(
        name="patterns",
        seed=1404,
        about="LoRA r=4 alpha 8 on qkv/proj/fc1/fc2 with rank_pattern (a full path, a suffix that "
              "overlaps it, a suffix) and alpha_pattern (a suffix 'proj' that also hits the conv, "
              "a full path)",
        model=dict(img_size=16, patch_size=4, embed_dim=24, depth=2, num_heads=3, mlp_ratio=2.0),
        num_classes=5, batch=3,
        lora=dict(r=4, lora_alpha=8, target_modules=TARGETS4,
                  rank_pattern={"blocks.0.attn.qkv": 2, "fc1": 6, "qkv": 5},
                  alpha_pattern={"blocks.1.mlp.fc2": 10, "proj": 3}),
    ),
    dict(
        name="layers",
        seed=1505,
        about="LoRA r=2 alpha 5 on qkv/fc2, layers_to_transform [0, 2] with layers_pattern "
              "'blocks', exclude_modules ['blocks.2.mlp.fc2'], depth 3",
        model=dict(img_size=16, patch_size=8, embed_dim=24, depth=3, num_heads=2, mlp_ratio=4.0),
        num_classes=6, batch=2,
        lora=dict(r=2, lora_alpha=5, target_modules=["qkv", "fc2"], layers_to_transform=[0, 2],
                  layers_pattern="blocks", exclude_modules=["blocks.2.mlp.fc2"]),
    ),
    dict(
        name="all_linear",
        seed=1606,
        about="LoRA r=2 alpha 3 with target_modules 'all-linear': every nn.Linear including the "
              "classifier head (frozen base head + LoRA), not the Conv2d patch embedding",
        model=dict(img_size=16, patch_size=4, embed_dim=20, depth=2, num_heads=2, mlp_ratio=2.0),
        num_classes=7, batch=2,
        lora=dict(r=2, lora_alpha=3, target_modules="all-linear"),
    ),
]

# Key lists only (default init, no tensors), on the demo backbone's shape (test-data/demo/backbone).
DEMO_MODEL = dict(img_size=28, patch_size=7, embed_dim=96, depth=4, num_heads=3, mlp_ratio=4.0)
DEMO_CLASSES = 10
DEMO_CONFIGS = [
    ("suffixes_head", dict(target_modules=TARGETS4, modules_to_save=["head"])),
    ("suffixes_head_dora", dict(target_modules=TARGETS4, modules_to_save=["head"], use_dora=True)),
    ("block_paths", dict(target_modules=["attn.qkv", "attn.proj", "mlp.fc1", "mlp.fc2"])),
]

# Extra one-off probes of PEFT's selection (key lists only), recorded in keys.json.
PROBE_MODEL = dict(img_size=16, patch_size=4, embed_dim=24, depth=2, num_heads=2, mlp_ratio=2.0)
PROBE_CLASSES = 5
PROBES = [
    ("all_linear_with_modules_to_save_head", dict(r=2, lora_alpha=3, target_modules="all-linear",
                                                  modules_to_save=["head"])),
    ("suffix_proj_only", dict(r=2, lora_alpha=3, target_modules=["proj"])),
    ("exclude_suffix_fc2", dict(r=2, lora_alpha=3, target_modules=TARGETS4, exclude_modules=["fc2"])),
    # a target given as an exact module name is kept whatever layers_to_transform says
    ("layers_exact_name_bypass", dict(r=2, lora_alpha=3, target_modules=["blocks.1.attn.qkv", "fc2"],
                                      layers_to_transform=[0], layers_pattern="blocks")),
]
# rank_pattern keys that overlap, in an order that is not sorted: PEFT uses the first matching key
# in the dict's order, but save_pretrained writes the keys sorted, so the reloaded config differs.
ORDER_PROBE = dict(r=4, lora_alpha=8, target_modules=["qkv"], rank_pattern={"qkv": 5, "blocks.0.attn.qkv": 2})


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------

def new_vit(model_args, num_classes):
    return timm.create_model(ARCH, pretrained=False, num_classes=num_classes, **model_args)


def lora_config(kwargs):
    return LoraConfig(lora_dropout=0.0, bias="none", **kwargs)


def adapted_modules(peft_model):
    """{module name (timm path): (r, lora_alpha, scaling, type)} as PEFT reports them."""
    out = {}
    for name, m in peft_model.base_model.model.named_modules():
        if isinstance(m, peft.tuners.lora.LoraLayer) and "default" in m.r:
            out[name] = dict(r=m.r["default"], lora_alpha=m.lora_alpha["default"],
                             scaling=m.scaling["default"], type=type(m.get_base_layer()).__name__,
                             dora=bool(m.use_dora.get("default", False)))
    return out


def st_dtype(t):
    return {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}[t.dtype]


def file_key_list(path):
    with safe_open(str(path), "pt") as f:
        return sorted([k, f.get_slice(k).get_dtype(), list(f.get_slice(k).get_shape())] for k in f.keys())


def rel(got, ref):
    d = (got.double() - ref.double()).norm().item()
    n = ref.double().norm().item()
    return d / n if n > 0 else d


def catch(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = fn()
    return out, [str(x.message) for x in w]


# --------------------------------------------------------------------------------------------
# Making a case
# --------------------------------------------------------------------------------------------

def random_backbone(model_args, num_classes, gen):
    """timm's state-dict names and shapes with random, well-scaled values (as make_golden.py)."""
    sd = {}
    for name, t in new_vit(model_args, num_classes).state_dict().items():
        shape = tuple(t.shape)
        if name in ("cls_token", "pos_embed"):
            v = normal(gen, shape, 0.5)
        elif "norm" in name and name.endswith(".weight"):
            v = normal(gen, shape, 0.25, 1.0)
        elif "norm" in name and name.endswith(".bias"):
            v = normal(gen, shape, 0.2)
        elif name.endswith(".weight"):
            v = normal(gen, shape, 1.0 / math.sqrt(int(np.prod(shape[1:]))))
        elif name.endswith(".bias"):
            v = normal(gen, shape, 0.1)
        else:
            raise ValueError(name)
        sd[name] = v
    return sd


def randomise_adapter(peft_model, gen):
    """Writes non-trivial values into PEFT's own trainable parameters (in memory)."""
    with torch.no_grad():
        for name, p in peft_model.named_parameters():
            if not p.requires_grad:
                continue
            shape = tuple(p.shape)
            if ".lora_A.default." in name:        # [r, in] or [r, C, k, k]: U(+-1/sqrt(fan_in))
                v = uniform(gen, shape, 1.0 / math.sqrt(int(np.prod(shape[1:]))))
            elif ".lora_B.default." in name:      # [out, r] or [out, r, 1, 1]: N(0, 0.3^2)
                v = normal(gen, shape, 0.3)
            elif ".lora_magnitude_vector.default." in name:
                # PEFT's initial value is ||W|| (per output row / channel, B = 0 at init)
                v = p.detach().double() * (1.0 + uniform(gen, shape, 0.2))
            elif ".modules_to_save.default." in name and name.endswith(".weight"):
                v = normal(gen, shape, 1.0 / math.sqrt(int(np.prod(shape[1:]))))
            elif ".modules_to_save.default." in name and name.endswith(".bias"):
                v = normal(gen, shape, 0.1)
            else:
                raise ValueError(f"unexpected trainable parameter {name}")
            p.copy_(v.to(p.dtype))


def load_case(d, dtype, trainable):
    """A fresh timm model with the stored backbone, the adapter loaded by PeftModel.from_pretrained."""
    cfg = json.loads((d / "config.json").read_text())
    vit = new_vit(cfg["model_args"], cfg["num_classes"])
    vit.load_state_dict(st.load_file(str(d / "backbone.safetensors")), strict=True)
    pm, warns = catch(lambda: PeftModel.from_pretrained(vit, str(d / "adapter"), is_trainable=trainable))
    bad = [w for w in warns if "missing" in w.lower() or "unexpected" in w.lower()]
    assert not bad, bad
    return pm.to(dtype).eval(), warns


def forward_backward(pm, d, dtype):
    batch = st.load_file(str(d / "batch.safetensors"))
    logits = pm(batch["images"].to(dtype))
    loss = F.cross_entropy(logits, batch["labels"])           # mean, no label smoothing
    loss.backward()
    grads = {n: p.grad.detach().clone() for n, p in pm.named_parameters() if p.requires_grad}
    assert all(g is not None for g in grads.values())
    # PEFT's own mapping from in-memory names (".default", "modules_to_save.default") to file keys
    by_key = get_peft_model_state_dict(pm, state_dict=grads)
    assert len(by_key) == len(grads), (len(by_key), len(grads))
    out = {"logits": logits.detach(), "loss": loss.detach()}
    out.update({"grad." + k: v for k, v in by_key.items()})
    return out


def make_case(case):
    d = HERE / case["name"]
    if d.exists():
        shutil.rmtree(d)
    (d / "adapter").mkdir(parents=True)
    gen = torch.Generator().manual_seed(case["seed"])
    ma, C = case["model"], case["num_classes"]
    write_json(d / "config.json", {"architecture": ARCH, "num_classes": C, "model_args": ma})

    # backbone: written first, then read back (the model sees exactly the stored F32 values)
    save_st(d / "backbone.safetensors", random_backbone(ma, C, gen))
    vit = new_vit(ma, C)
    vit.load_state_dict(st.load_file(str(d / "backbone.safetensors")), strict=True)

    pm, warns = catch(lambda: get_peft_model(vit, lora_config(case["lora"])))
    for w in warns:
        print(f"    get_peft_model warning: {w}")
    randomise_adapter(pm, gen)
    in_memory = {k: v.detach().clone() for k, v in get_peft_model_state_dict(pm).items()}
    modules = adapted_modules(pm)
    pm.save_pretrained(str(d / "adapter"))
    written = sorted(p.name for p in (d / "adapter").iterdir())
    assert written == ["README.md", "adapter_config.json", "adapter_model.safetensors"], written
    (d / "adapter" / "README.md").unlink()          # PEFT's empty model-card template; not needed
    saved = st.load_file(str(d / "adapter" / "adapter_model.safetensors"))
    assert set(saved) == set(in_memory)
    assert all(torch.equal(saved[k], in_memory[k]) for k in saved), "saved != in-memory adapter"
    with safe_open(str(d / "adapter" / "adapter_model.safetensors"), "pt") as f:
        assert f.metadata() == ST_META, f.metadata()

    save_st(d / "batch.safetensors", {
        "images": normal(gen, (case["batch"], 3, ma["img_size"], ma["img_size"]), 1.0),
        "labels": torch.randint(0, C, (case["batch"],), generator=gen),
    })

    # expected: PEFT's own forward/backward in float64 on the stored values
    pm64, _ = load_case(d, torch.float64, trainable=True)
    assert adapted_modules(pm64) == modules, "reloaded model adapts other modules / r / scaling"
    exp64 = forward_backward(pm64, d, torch.float64)
    file_keys = set(saved)
    grad_keys = {k[5:] for k in exp64 if k.startswith("grad.")}
    assert grad_keys == file_keys, sorted(grad_keys ^ file_keys)
    save_st(d / "expected.safetensors", exp64)
    return modules, exp64


# --------------------------------------------------------------------------------------------
# Independent re-statement of the maths and of the selection rules (the README's claims)
# --------------------------------------------------------------------------------------------

def my_targets(cfg, vit):
    """The README's statement of PEFT 0.21's module selection, from adapter_config.json."""
    supported = (nn.Linear, nn.Conv2d)
    mts = cfg.get("modules_to_save") or []
    chosen = []
    for name, m in vit.named_modules():
        if not name or not isinstance(m, supported):
            continue
        ex = cfg.get("exclude_modules")
        if ex and (re.fullmatch(ex, name) if isinstance(ex, str)
                   else (name in ex or any(name.endswith("." + e) for e in ex))):
            continue
        if any(re.match(rf"(^|.*\.){t}($|\..*)", name) for t in mts):
            continue
        tm = cfg["target_modules"]
        if isinstance(tm, str):
            ok = re.fullmatch(tm, name) is not None
        elif name in tm:
            ok = True
        else:
            ok = any(name.endswith("." + t) for t in tm)
            if ok and cfg.get("layers_to_transform") is not None:
                lp = cfg.get("layers_pattern")
                lp = [lp] if isinstance(lp, str) else (lp or [])
                mo = None
                for pat in lp:
                    mo = re.match(rf"(?:^|.*?\.){pat}\.(?P<idx>\d+)\.", name)
                    if mo:
                        break
                if not lp:
                    mo = re.match(r".*?\.[^.]*\.(?P<idx>\d+)\.", name)
                ok = mo is not None and int(mo["idx"]) in cfg["layers_to_transform"]
        if ok:
            chosen.append(name)
    return chosen


def my_r_alpha(cfg, name):
    """First pattern key (in the file's order) k with re.match(r'(.*\\.)?(k)$', name) wins."""
    def pick(pattern, default):
        for k, v in pattern.items():
            if re.match(rf"(.*\.)?({k})$", name):
                return v
        return default
    r = pick(cfg.get("rank_pattern") or {}, cfg["r"])
    alpha = pick(cfg.get("alpha_pattern") or {}, cfg["lora_alpha"])
    s = alpha / (math.sqrt(r) if cfg.get("use_rslora") else r)
    return r, alpha, s


def independent(d, detach_norm=True):
    """Plain timm model in float64 whose adapted weights are replaced by effective weights built
    from the file's tensors:  LoRA  W' = W + s * B A  (conv: B[D,r] @ A[r, C*k*k], reshaped);
    DoRA  W' = m / ||W + s B A||_row * (W + s B A), the norm detached (a constant in backward);
    biases unchanged; modules_to_save replaces the module's tensors."""
    cfg = json.loads((d / "config.json").read_text())
    acfg = json.loads((d / "adapter" / "adapter_config.json").read_text())
    vit = new_vit(cfg["model_args"], cfg["num_classes"]).double().eval()
    vit.load_state_dict(st.load_file(str(d / "backbone.safetensors")), strict=True)
    for p in vit.parameters():
        p.requires_grad_(False)
    leaves = {k: v.double().requires_grad_(True)
              for k, v in st.load_file(str(d / "adapter" / "adapter_model.safetensors")).items()}
    names = my_targets(acfg, vit)
    from_file = sorted(k[len(PREFIX):-len(".lora_A.weight")] for k in leaves if k.endswith(".lora_A.weight"))
    assert sorted(names) == from_file, (names, from_file)
    params = {}
    for name in names:
        W = vit.get_submodule(name).weight
        A, B = leaves[PREFIX + name + ".lora_A.weight"], leaves[PREFIX + name + ".lora_B.weight"]
        r, _, s = my_r_alpha(acfg, name)
        assert A.shape[0] == r and B.shape[1] == r
        delta = (B.reshape(B.shape[0], r) @ A.reshape(r, -1)).reshape(W.shape)
        Wn = W + s * delta
        if acfg.get("use_dora"):
            m = leaves[PREFIX + name + ".lora_magnitude_vector"].reshape(-1)
            norm = Wn.reshape(W.shape[0], -1).norm(dim=1)
            if detach_norm:
                norm = norm.detach()
            Wn = (m / norm).reshape((-1,) + (1,) * (W.dim() - 1)) * Wn
        params[name + ".weight"] = Wn
    for t in acfg.get("modules_to_save") or []:
        for k in list(leaves):
            if k.startswith(PREFIX + t + "."):
                params[k[len(PREFIX):]] = leaves[k]
    batch = st.load_file(str(d / "batch.safetensors"))
    logits = torch.func.functional_call(vit, params, (batch["images"].double(),), strict=False)
    loss = F.cross_entropy(logits, batch["labels"])
    loss.backward()
    out = {"logits": logits.detach(), "loss": loss.detach()}
    out.update({"grad." + k: v.grad for k, v in leaves.items()})
    return out


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------

def check_case(case, modules, exp64):
    d = HERE / case["name"]
    exp = st.load_file(str(d / "expected.safetensors"))
    acfg = json.loads((d / "adapter" / "adapter_config.json").read_text())
    cfg = json.loads((d / "config.json").read_text())
    print(f"  {case['name']}: loss {exp['loss'].item():.6f}, {len(exp) - 2} gradients, "
          f"{len(modules)} adapted modules")

    # 1. inference-mode reload in float32 (PeftModel.from_pretrained), no missing-key warning
    pm, warns = load_case(d, torch.float32, trainable=False)
    for w in warns:
        print(f"      from_pretrained warning: {w}")
    batch = st.load_file(str(d / "batch.safetensors"))
    with torch.no_grad():
        lg = pm(batch["images"])
    e_inf = rel(lg, exp["logits"])
    assert e_inf < 1e-5, e_inf
    print(f"      reload (inference mode, f32): no missing/unexpected-key warning; logits rel.err {e_inf:.1e}")

    # 2. float32 rerun vs float64 expected: logits, loss, every gradient; all gradients non-zero
    pm, _ = load_case(d, torch.float32, trainable=True)
    got = forward_backward(pm, d, torch.float32)
    assert set(got) == set(exp)
    worst = {"logits": rel(got["logits"], exp["logits"]), "loss": rel(got["loss"], exp["loss"]), "grad": 0.0}
    worst_key, min_norm, min_key = "", float("inf"), ""
    for k in exp:
        if not k.startswith("grad."):
            continue
        n = exp[k].double().norm().item()
        assert n > 1e-6, f"{k} is (nearly) zero: {n:.3e}"
        if n < min_norm:
            min_norm, min_key = n, k
        e = rel(got[k], exp[k])
        if e > worst["grad"]:
            worst["grad"], worst_key = e, k
    assert worst["logits"] < 1e-5 and worst["loss"] < 1e-5 and worst["grad"] < 1e-4, worst
    print(f"      f32 rerun vs f64 expected: logits {worst['logits']:.1e}, loss {worst['loss']:.1e}, "
          f"worst grad {worst['grad']:.1e} ({worst_key[5 + len(PREFIX):]})")
    print(f"      smallest gradient norm {min_norm:.2e} ({min_key[5 + len(PREFIX):]}); all > 1e-6")

    # 3. selection rules and r/scaling as the README states them
    vit = new_vit(cfg["model_args"], cfg["num_classes"])
    assert sorted(my_targets(acfg, vit)) == sorted(modules)
    for name, info in modules.items():
        r, alpha, s = my_r_alpha(acfg, name)
        assert (r, alpha) == (info["r"], info["lora_alpha"]) and abs(s - info["scaling"]) < 1e-15, (name, info)
    print("      README's selection rule and r/alpha/scaling rule reproduce PEFT's choice for every module")

    # 4. independent maths (merged effective weights) vs PEFT's float64 results (before F32 rounding)
    ind = independent(d, detach_norm=True)
    e_ind = max(rel(ind[k], exp64[k]) for k in exp64)
    assert e_ind < 1e-11, e_ind
    print(f"      independent merged-weight maths (f64) vs PEFT (f64): worst rel.err {e_ind:.1e}")
    if acfg.get("use_dora"):
        nd = independent(d, detach_norm=False)
        e_ab = max(rel(nd[k], exp64[k]) for k in exp64 if ".lora_A." in k or ".lora_B." in k)
        e_m = max(rel(nd[k], exp64[k]) for k in exp64 if "magnitude" in k)
        assert e_ab > 1e-3 and e_m < 1e-11, (e_ab, e_m)
        print(f"      DoRA with the norm NOT detached would change the A/B gradients by up to {e_ab:.2f} "
              f"(relative), the magnitude gradients by {e_m:.0e}: the golden tells them apart")
    return worst


def check_detach_in_source():
    """PEFT 0.21's dora.py must detach the weight norm (and the LoRA weight inside it)."""
    src = (Path(peft.__file__).parent / "tuners" / "lora" / "dora.py").read_text()
    n_norm = src.count("weight_norm = weight_norm.detach()")
    n_lora = src.count("lora_weight=lora_weight.detach()")
    assert n_norm >= 3 and n_lora >= 3, (n_norm, n_lora)
    print(f"  peft/tuners/lora/dora.py: 'weight_norm = weight_norm.detach()' x{n_norm}, "
          f"'lora_weight=lora_weight.detach()' x{n_lora} (Linear, Embedding, ConvNd forwards)")


def key_listing(model_args, num_classes, kwargs):
    vit = new_vit(model_args, num_classes)
    pm, warns = catch(lambda: get_peft_model(vit, lora_config(kwargs)))
    sd = get_peft_model_state_dict(pm)
    keys = sorted([k, st_dtype(v), list(v.shape)] for k, v in sd.items())
    mods = {n: [i["r"], i["scaling"]] for n, i in adapted_modules(pm).items()}
    return keys, mods, warns


def probe_pattern_order():
    import tempfile
    vit = new_vit(PROBE_MODEL, PROBE_CLASSES)
    pm = get_peft_model(vit, lora_config(ORDER_PROBE))
    before = {n: i["r"] for n, i in adapted_modules(pm).items()}
    with tempfile.TemporaryDirectory() as tmp:
        pm.save_pretrained(tmp)
        saved_order = list(json.loads((Path(tmp) / "adapter_config.json").read_text())["rank_pattern"])
        try:
            PeftModel.from_pretrained(new_vit(PROBE_MODEL, PROBE_CLASSES), tmp)
            reload = "ok"
        except RuntimeError as e:
            reload = str(e).splitlines()[1].strip()
    assert before == {"blocks.0.attn.qkv": 5, "blocks.1.attn.qkv": 5}, before
    assert saved_order == ["blocks.0.attn.qkv", "qkv"] and reload != "ok", (saved_order, reload)
    print(f"  rank_pattern {ORDER_PROBE['rank_pattern']}: in memory r {before}; saved key order {saved_order}; "
          f"PeftModel.from_pretrained fails: {reload}")
    return {"model_args": PROBE_MODEL, "num_classes": PROBE_CLASSES, "lora_config": ORDER_PROBE,
            "in_memory_r": before, "saved_rank_pattern_order": saved_order, "reload": reload}


def digest():
    """SHA-256 over every generated file (all but this script and the top-level README.md)."""
    h = hashlib.sha256()
    for f in sorted(HERE.rglob("*")):
        rel_name = str(f.relative_to(HERE))
        if f.is_file() and rel_name not in ("make_peft_golden.py", "README.md") and "__pycache__" not in rel_name:
            h.update(rel_name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def main():
    versions = dict(python=platform.python_version(), torch=torch.__version__, timm=timm.__version__,
                    peft=peft.__version__, numpy=np.__version__, safetensors=safetensors.__version__)
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    print(f"PYTHONHASHSEED={os.environ.get('PYTHONHASHSEED')}, threads {torch.get_num_threads()}, "
          f"deterministic {torch.are_deterministic_algorithms_enabled()}")

    keys = {"versions": versions, "cases": {}, "demo_backbone": {}, "probes": {}}
    results = {}
    for case in CASES:
        print(f"making {case['name']} ...")
        modules, exp64 = make_case(case)
        results[case["name"]] = (modules, exp64)
        d = HERE / case["name"]
        keys["cases"][case["name"]] = {
            "model_args": case["model"], "num_classes": case["num_classes"],
            "lora_config": {k: v for k, v in case["lora"].items()},
            "adapted_modules": {n: {"type": i["type"], "r": i["r"], "lora_alpha": i["lora_alpha"],
                                    "scaling": i["scaling"], "dora": i["dora"]} for n, i in modules.items()},
            "keys": file_key_list(d / "adapter" / "adapter_model.safetensors"),
        }

    print("demo backbone key lists (test-data/demo/backbone shape, default init):")
    keys["demo_backbone"]["model_args"] = DEMO_MODEL
    keys["demo_backbone"]["num_classes"] = DEMO_CLASSES
    for name, kw in DEMO_CONFIGS:
        k, mods, warns = key_listing(DEMO_MODEL, DEMO_CLASSES, kw)
        assert not warns, warns
        keys["demo_backbone"][name] = {"lora_config": kw, "keys": k}
        print(f"  {name}: {len(k)} keys, {len(mods)} adapted modules "
              f"({'with' if 'patch_embed.proj' in mods else 'without'} patch_embed.proj)")
    print("probes:")
    for name, kw in PROBES:
        k, mods, warns = key_listing(PROBE_MODEL, PROBE_CLASSES, kw)
        keys["probes"][name] = {"model_args": PROBE_MODEL, "num_classes": PROBE_CLASSES, "lora_config": kw,
                                "adapted_modules": mods, "keys": k, "warnings": warns}
        print(f"  {name}: adapted {sorted(mods)}; saved non-LoRA keys "
              f"{[x[0] for x in k if 'lora_' not in x[0]]}; warnings {warns}")
    keys["probes"]["rank_pattern_order"] = probe_pattern_order()
    write_json(HERE / "keys.json", keys)

    print("self-checks:")
    check_detach_in_source()
    for case in CASES:
        check_case(case, *results[case["name"]])
    total = 0
    for case in CASES:
        size = sum(f.stat().st_size for f in (HERE / case["name"]).rglob("*") if f.is_file())
        total += size
        assert size < 150_000, (case["name"], size)
        print(f"  {case['name']}: {size} bytes")
    total += (HERE / "keys.json").stat().st_size
    print(f"total (cases + keys.json) {total} bytes; sha256 of all generated files {digest()}")


if __name__ == "__main__":
    sys.exit(main())
