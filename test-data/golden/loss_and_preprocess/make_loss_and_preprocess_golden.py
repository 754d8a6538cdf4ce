"""Golden values for kora4j's loss and image preprocessing, made by PyTorch, torchvision, timm and PIL themselves.

Writes, next to this script:
  cross_entropy.safetensors  logits F32 [N, C] per case, labels I64, and for each label_smoothing eps the
                             mean loss and d loss / d logits of torch.nn.functional.cross_entropy in float64
                             on the stored F32 logits (names: <case>.logits, <case>.labels,
                             <case>.eps<k>.loss, <case>.eps<k>.grad; eps values in cases.json).
  preprocess.safetensors     8-bit RGB images (U8 [3, H, W]) and, per image and output size img:
                             <image>.pil_<filter>_<H>x<W>: PIL's Image.resize of the 8-bit image (U8 [3, H, W]),
                               bicubic and bilinear, shrinking, enlarging and both at once;
                             <image>.timm<img>: timm's own eval transform for a ViT at img px
                               (timm.data.create_transform: PIL resize, 8-bit rounding, crop, mean = std = 0.5);
                             <image>.seed<img>: the seed notebook's CIFAR-100 transform: torchvision's
                               Resize((img, img)) on the PIL image (bilinear), ToTensor, its Normalize.
  cases.json                 the case list, the eps values, the versions used.

Run from the repository root: python test-data/golden/loss_and_preprocess/make_loss_and_preprocess_golden.py
Seeded and deterministic: the same versions give the same files.
"""
import json
import os
import sys

import numpy as np
import PIL
from PIL import Image
import safetensors
import timm
import timm.data
import torch
import torch.nn.functional as F
import torchvision
from safetensors.torch import save_file

OUT = os.path.dirname(os.path.abspath(__file__))
EPSILONS = [0.0, 0.1, 0.3, 1.0]
CROP_PCT = 0.9
SEED_CIFAR_MEAN, SEED_CIFAR_STD = (0.5071, 0.4867, 0.4408), (0.2675, 0.2565, 0.2761)  # the seed notebook's (datasets.md §4.3)
PIL_SIZES = [(9, 13), (61, 70), (20, 75)]


def cross_entropy_cases(g):
    """Logits of order 1, wide-range logits and a single row; labels uniform over the classes."""
    cases = {
        "ordinary": (torch.randn(6, 10, generator=g, dtype=torch.float64) * 2, 10),
        "wide": (torch.randn(5, 7, generator=g, dtype=torch.float64) * 25, 7),
        "one_row": (torch.randn(1, 100, generator=g, dtype=torch.float64), 100),
    }
    tensors = {}
    for name, (logits, classes) in cases.items():
        logits32 = logits.float()
        labels = torch.randint(0, classes, (logits.shape[0],), generator=g)
        tensors[f"{name}.logits"] = logits32.contiguous()
        tensors[f"{name}.labels"] = labels.contiguous()
        for k, eps in enumerate(EPSILONS):
            x = logits32.double().clone().requires_grad_(True)  # the stored F32 values, in float64
            loss = F.cross_entropy(x, labels, label_smoothing=eps)
            loss.backward()
            tensors[f"{name}.eps{k}.loss"] = loss.detach().float().reshape(())
            tensors[f"{name}.eps{k}.grad"] = x.grad.float().contiguous()
    return list(cases), tensors


def images(rng):
    """Photograph-like content (smooth gradients, hard edges, noise) at shapes that shrink, enlarge and crop unevenly."""
    out = {}
    for name, (h, w) in {"square32": (32, 32), "wide40x56": (40, 56), "tall23x17": (23, 17), "large64x48": (64, 48)}.items():
        y, x = np.mgrid[0:h, 0:w]
        base = np.stack([x / w, y / h, ((x // 4 + y // 4) % 2) * 0.8], axis=0)  # ramps and a checkerboard
        noisy = base * 200 + rng.integers(0, 56, size=(3, h, w))
        out[name] = np.clip(noisy, 0, 255).astype(np.uint8)
    return out


def main():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(20261206)
    ce_names, ce = cross_entropy_cases(g)
    save_file(ce, os.path.join(OUT, "cross_entropy.safetensors"), metadata={"format": "pt"})

    rng = np.random.default_rng(20261206)
    sizes = [24, 32, 48]
    pre = {}
    for name, chw in images(rng).items():
        pre[name] = torch.from_numpy(chw.copy())
        pil = Image.fromarray(np.ascontiguousarray(chw.transpose(1, 2, 0)), "RGB")
        for filt, code in (("bicubic", Image.BICUBIC), ("bilinear", Image.BILINEAR)):
            for h, w in PIL_SIZES:
                resized = np.asarray(pil.resize((w, h), code)).transpose(2, 0, 1)
                pre[f"{name}.pil_{filt}_{h}x{w}"] = torch.from_numpy(np.ascontiguousarray(resized))
        for img in sizes:
            timm_tf = timm.data.create_transform(input_size=(3, img, img), crop_pct=CROP_PCT, interpolation="bicubic",
                                                 mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))
            pre[f"{name}.timm{img}"] = timm_tf(pil).float().contiguous()
            seed_tf = torchvision.transforms.Compose([torchvision.transforms.Resize((img, img)), torchvision.transforms.ToTensor(),
                                                      torchvision.transforms.Normalize(SEED_CIFAR_MEAN, SEED_CIFAR_STD)])
            pre[f"{name}.seed{img}"] = seed_tf(pil).float().contiguous()
    save_file(pre, os.path.join(OUT, "preprocess.safetensors"), metadata={"format": "pt"})

    meta = {
        "cross_entropy": {"cases": ce_names, "label_smoothing": EPSILONS},
        "preprocess": {"images": list(images(np.random.default_rng(0))), "sizes": sizes, "crop_pct": CROP_PCT,
                       "pil_sizes": PIL_SIZES},
        "versions": {"python": sys.version.split()[0], "torch": torch.__version__, "torchvision": torchvision.__version__,
                     "timm": timm.__version__, "pillow": PIL.__version__, "numpy": np.__version__,
                     "safetensors": safetensors.__version__},
    }
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    print(json.dumps(meta["versions"]))
    # The timm transform is the one timm builds for these settings (printed so a reader can check it).
    print(timm.data.create_transform(input_size=(3, 32, 32), crop_pct=CROP_PCT, interpolation="bicubic",
                                     mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5)))


if __name__ == "__main__":
    main()
