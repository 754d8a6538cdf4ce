"""An adapter that `kora train` wrote loads in PEFT with no key warning and gives kora4j's logits.

RUN_DIR is a run of the demo's backbone, e.g.
    bin/kora train --model test-data/demo/backbone/config.json --weights test-data/demo/backbone/backbone.safetensors \
        --adapter-config ADAPTER.json --data idx:test-data/demo/mnist --epochs 1 --batch 64 --lr 5e-3 --out RUN_DIR
with ADAPTER.json {"peft_type": "LORA", "r": 8, "lora_alpha": 16, "target_modules": ["qkv", "proj", "fc1", "fc2"],
"modules_to_save": ["head"]} (PEFT's default ViT targets; add "use_dora": true for DoRA).

Usage: python scripts/peft_loads_kora_check.py REPO_ROOT RUN_DIR   (torch, timm, peft: setup-torch-cpu.sh's venv)
"""
import json, os, subprocess, sys, warnings
import torch, timm
from safetensors.torch import save_file, load_file
from peft import PeftModel
ROOT, RUN = sys.argv[1], sys.argv[2]
cfg = json.load(open(os.path.join(ROOT, "test-data/demo/backbone/config.json")))
m = timm.create_model(cfg["architecture"], pretrained=False, num_classes=cfg["num_classes"], **cfg["model_args"])
m.load_state_dict(load_file(os.path.join(ROOT, "test-data/demo/backbone/backbone.safetensors")))
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    pm = PeftModel.from_pretrained(m, os.path.join(RUN, "adapter"))
msgs = [str(x.message) for x in w if "key" in str(x.message).lower()]
print("PEFT warnings about keys:", msgs)
pm.eval()
g = torch.Generator().manual_seed(5)
images = torch.randn(4, 3, 28, 28, generator=g)
labels = torch.randint(0, 10, (4,), generator=g)
save_file({"images": images, "labels": labels}, os.path.join(RUN, "check-batch.safetensors"), metadata={"format": "pt"})
with torch.no_grad():
    peft_logits = pm(images)
print("adapted modules in PEFT:", sorted({n.rsplit(".lora_A", 1)[0] for n, _ in pm.named_parameters() if ".lora_A." in n})[:3], "...",
      len({n.rsplit(".lora_A", 1)[0] for n, _ in pm.named_parameters() if ".lora_A." in n}))
out = os.path.join(RUN, "check-out.safetensors")
subprocess.run([os.path.join(ROOT, "bin/kora"), "parity", "--model", os.path.join(ROOT, "test-data/demo/backbone/config.json"),
                "--weights", os.path.join(ROOT, "test-data/demo/backbone/backbone.safetensors"),
                "--adapter-config", os.path.join(RUN, "adapter/adapter_config.json"),
                "--adapter", os.path.join(RUN, "adapter/adapter_model.safetensors"),
                "--batch", os.path.join(RUN, "check-batch.safetensors"), "--out", out], check=True, stderr=subprocess.DEVNULL)
kora = load_file(out)["logits"]
print("relative norm of the logits' difference:", ((kora - peft_logits).norm() / peft_logits.norm()).item())
print("max |difference|:", (kora - peft_logits).abs().max().item())
