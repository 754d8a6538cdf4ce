"""Fresh PEFT files, not in the repository: timm saves a model in hub form (config.json + model.safetensors),
PEFT builds and saves four adapters on it (its default ViT targets with a saved head; DoRA with rank and
alpha patterns and a regex exclude; all-linear with DoRA and rsLoRA; layers_to_transform), and computes
logits, loss and every gradient in float64 from its own reloaded files. `bin/kora parity` then runs on the
same files on cpu and reference, and the worst relative norm of each difference is printed (contracts.md
allows 1e-4 for logits and loss, 1e-3 for gradients).

Usage: python scripts/peft_fresh_check.py REPO_ROOT SCRATCH_DIR   (torch, timm, peft: setup-torch-cpu.sh's venv)
"""
import json, os, subprocess, sys, warnings
import torch, timm, peft
import torch.nn.functional as F
from timm.models import _hub
from safetensors.torch import save_file, load_file
from peft import LoraConfig, get_peft_model, PeftModel
from peft.utils import get_peft_model_state_dict

ROOT = sys.argv[1]; OUT = sys.argv[2]
torch.manual_seed(1234)
args = dict(img_size=32, patch_size=8, embed_dim=48, depth=4, num_heads=4, mlp_ratio=3.0)
C = 9
CONFIGS = {
    "default_targets_head": dict(r=8, lora_alpha=16, target_modules=["qkv", "proj", "fc1", "fc2"], modules_to_save=["head"]),
    "dora_patterns_exclude": dict(r=4, lora_alpha=8, use_dora=True, target_modules=["qkv", "proj", "fc2"],
                                  rank_pattern={"blocks.2.attn.qkv": 6, "proj": 3}, alpha_pattern={"fc2": 2},
                                  exclude_modules=r"blocks\.3\..*"),
    "all_linear_dora_rslora": dict(r=3, lora_alpha=5, use_rslora=True, use_dora=True, target_modules="all-linear"),
    "layers_1_3": dict(r=2, lora_alpha=6, target_modules=["qkv", "fc1"], layers_to_transform=[1, 3], layers_pattern="blocks"),
}

def base_model():
    torch.manual_seed(7)
    m = timm.create_model("vit_tiny_patch16_224", pretrained=False, num_classes=C, **args)
    with torch.no_grad():
        for n, p in m.named_parameters():
            p.copy_(torch.randn_like(p) * (0.5 if p.dim() < 2 else (1 / p[0].numel()) ** 0.5) + (1.0 if "norm" in n and n.endswith("weight") else 0))
    return m

results = {}
for name, cfg in CONFIGS.items():
    d = os.path.join(OUT, name); os.makedirs(d, exist_ok=True)
    m = base_model()
    _hub.save_for_hf(m, d, model_args=args, safe_serialization=True)  # config.json + model.safetensors, by timm
    pm = get_peft_model(m, LoraConfig(**cfg))
    g = torch.Generator().manual_seed(99)
    with torch.no_grad():
        for n, p in pm.named_parameters():
            if "lora_" in n or "modules_to_save" in n:
                p.copy_(torch.randn(p.shape, generator=g) * 0.3 + (p if "magnitude" in n else 0))
    pm.save_pretrained(os.path.join(d, "adapter"))
    images = torch.randn(3, 3, 32, 32, generator=g); labels = torch.randint(0, C, (3,), generator=g)
    save_file({"images": images.contiguous(), "labels": labels}, os.path.join(d, "batch.safetensors"), metadata={"format": "pt"})
    # PEFT reloads its own files, then computes in float64
    fresh = timm.create_model("vit_tiny_patch16_224", pretrained=False, num_classes=C, **args)
    fresh.load_state_dict(load_file(os.path.join(d, "model.safetensors")))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ref = PeftModel.from_pretrained(fresh, os.path.join(d, "adapter"), is_trainable=True)
    assert not [x for x in w if "adapter keys" in str(x.message)], [str(x.message) for x in w]
    ref = ref.double().eval()
    logits = ref(images.double()); loss = F.cross_entropy(logits, labels); loss.backward()
    grads = {n: p.grad for n, p in ref.named_parameters() if p.requires_grad}
    named = get_peft_model_state_dict(ref, state_dict=grads)
    kora = {}
    for device in ("cpu", "reference"):
        out = os.path.join(d, f"kora-{device}.safetensors")
        subprocess.run([os.path.join(ROOT, "bin/kora"), "parity", "--model", os.path.join(d, "config.json"),
                        "--weights", os.path.join(d, "model.safetensors"), "--adapter-config", os.path.join(d, "adapter", "adapter_config.json"),
                        "--adapter", os.path.join(d, "adapter", "adapter_model.safetensors"), "--batch", os.path.join(d, "batch.safetensors"),
                        "--out", out, "--device", device], check=True, stderr=subprocess.DEVNULL)
        got = load_file(out)
        worst = {}
        def rel(a, b):
            a = a.double(); b = b.double().reshape(a.shape)
            return ((a - b).norm() / max(b.norm(), 1e-30)).item()
        worst["logits"] = rel(got["logits"], logits)
        worst["loss"] = rel(got["loss"], loss)
        gk = {k[5:]: v for k, v in got.items() if k.startswith("grad.")}
        assert set(gk) == set(named), (set(gk) ^ set(named))
        worst["grads"] = max(rel(gk[k], named[k]) for k in named)
        kora[device] = worst
    results[name] = dict(config=cfg, modules=len([k for k in named if "lora_A" in k]), tensors=len(named), **kora)
for name, r in results.items():
    print(name, f"{r['modules']} modules, {r['tensors']} tensors:",
          "; ".join(f"{d} logits {r[d]['logits']:.1e} loss {r[d]['loss']:.1e} worst gradient {r[d]['grads']:.1e}" for d in ("cpu", "reference")))
    assert all(r[d]["logits"] <= 1e-4 and r[d]["loss"] <= 1e-4 and r[d]["grads"] <= 1e-3 for d in ("cpu", "reference")), name
