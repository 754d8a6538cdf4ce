#!/usr/bin/env bash
# Training steps of kora4j beside PyTorch eager on the same models, batches and modes, in one run,
# with the ratios (ours / PyTorch's images/s; KoRA is compared with PyTorch's LoRA).
# Usage: scripts/bench-step-vs-torch.sh PYTHON [--steps S --threads T]
#   PYTHON: an interpreter with torch and timm (CPU use). Debian's libtcmalloc-minimal4, when
#   installed, is preloaded for PyTorch, which steadies its timings.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${1:?usage: $0 PYTHON [--steps S --threads T]}
shift
EXTRA=("$@")
[ ${#EXTRA[@]} -gt 0 ] || EXTRA=(--steps 10 --threads 2)
TCMALLOC=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
PRELOAD=""
[ -f "$TCMALLOC" ] && PRELOAD=$TCMALLOC
CASES=("vit_tiny_224.json 8" "vit_tiny_32_p4.json 64" "vit_small_224.json 8")
lines=()
for c in "${CASES[@]}"; do
  set -- $c
  config="$ROOT/scripts/configs/$1"
  for mode in infer full lora kora; do
    lines+=("$("$ROOT/bin/kora" bench step --model "$config" --mode "$mode" --batch "$2" "${EXTRA[@]}" 2>/dev/null)")
    if [ "$mode" != kora ]; then
      lines+=("$(LD_PRELOAD=$PRELOAD "$PY" "$ROOT/scripts/bench_step_torch.py" --model "$config" --mode "$mode" --batch "$2" "${EXTRA[@]}")")
    fi
  done
done
printf '%s\n' "${lines[@]}"
"$PY" - "${lines[@]}" <<'PY'
import json, sys
rows = [json.loads(l) for l in sys.argv[1:]]
ours = {(r["img_size"], r["model"], r["mode"], r["batch"]): r for r in rows if r["bench"] == "step"}
torch = {(r["img_size"], r["model"], r["mode"], r["batch"]): r for r in rows if r["bench"] == "step_torch"}
print(f"| model | img | batch | mode | kora4j img/s | PyTorch img/s | ratio | kora4j RSS MB | PyTorch RSS MB |")
print("|---|---|---|---|---|---|---|---|---|")
for key, o in ours.items():
    img, model, mode, batch = key
    t = torch.get((img, model, "lora" if mode == "kora" else mode, batch))
    ratio = o["images_per_second"] / t["images_per_second"] if t else float("nan")
    against = " (vs LoRA)" if mode == "kora" else ""
    print(f"| {model} | {img} | {batch} | {mode} | {o['images_per_second']:.1f} | {t['images_per_second'] if t else '-'} | "
          f"{ratio:.2f}×{against} | {o['peak_rss_mb']:.0f} | {t['peak_rss_mb'] if t else '-'} |")
PY
