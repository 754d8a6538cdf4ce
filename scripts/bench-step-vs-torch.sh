#!/usr/bin/env bash
# Training steps of kora4j beside PyTorch eager on the same models, batches and modes, alternated
# round by round, with the ratios (ours / PyTorch's images/s; KoRA is compared with PyTorch's LoRA)
# and how sure each is (scripts/step_ratios.py).
# Usage: scripts/bench-step-vs-torch.sh PYTHON [--rounds R] [--out FILE] [--steps S --threads T]
#   PYTHON: an interpreter with torch and timm (CPU use). Debian's libtcmalloc-minimal4, when
#   installed, is preloaded for PyTorch, which steadies its timings.
#   --rounds R: every case runs R times on each side (default 5), ours first in even rounds and
#   PyTorch first in odd ones, so that a slow spell of this machine falls on both sides alike.
#   --out FILE: where each run's JSON line goes, after its round number and a tab (default: a new
#   file under the system's temporary folder); step_ratios.py FILE prints the table again.
#   The rest goes to both `kora bench step` and bench_step_torch.py (default --steps 10 --threads 2).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${1:?usage: $0 PYTHON [--rounds R] [--out FILE] [--steps S --threads T]}
shift
ROUNDS=5
OUT=""
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) ROUNDS=${2:?--rounds needs a count}; shift 2 ;;
    --out) OUT=${2:?--out needs a file}; shift 2 ;;
    *) EXTRA+=("$1"); shift ;;
  esac
done
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "error: --rounds must be a positive integer, got '$ROUNDS'" >&2; exit 2; }
[ ${#EXTRA[@]} -gt 0 ] || EXTRA=(--steps 10 --threads 2)
[ -n "$OUT" ] || OUT=$(mktemp "${TMPDIR:-/tmp}/kora-step-vs-torch.XXXXXX")
: > "$OUT"
TCMALLOC=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
PRELOAD=""
[ -f "$TCMALLOC" ] && PRELOAD=$TCMALLOC
CASES=("vit_tiny_224.json 8" "vit_tiny_32_p4.json 64" "vit_small_224.json 8")

ours() { "$ROOT/bin/kora" bench step --model "$1" --mode "$2" --batch "$3" "${EXTRA[@]}" 2>/dev/null; }
theirs() { LD_PRELOAD=$PRELOAD "$PY" "$ROOT/scripts/bench_step_torch.py" --model "$1" --mode "$2" --batch "$3" "${EXTRA[@]}"; }

for ((round = 0; round < ROUNDS; round++)); do
  for c in "${CASES[@]}"; do
    set -- $c
    config="$ROOT/scripts/configs/$1"
    for mode in infer full lora kora; do
      # PyTorch has no KoRA step of its own here: ours is compared with its LoRA step
      if [ "$mode" = kora ]; then
        sides=(ours)
      elif ((round % 2 == 0)); then
        sides=(ours theirs)
      else
        sides=(theirs ours)
      fi
      for side in "${sides[@]}"; do
        printf '%d\t%s\n' "$round" "$($side "$config" "$mode" "$2")" >> "$OUT"
      done
    done
  done
  echo "round $((round + 1)) of $ROUNDS done ($OUT)" >&2
done
"$PY" "$ROOT/scripts/step_ratios.py" "$OUT"
