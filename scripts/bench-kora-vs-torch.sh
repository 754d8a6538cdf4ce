#!/usr/bin/env bash
# The KoRA update, ours (fused and unfused) beside PyTorch eager, in one run on one machine.
# Usage: scripts/bench-kora-vs-torch.sh PYTHON [--tokens N --dim D --threads T]
#   PYTHON: an interpreter with torch (CPU use); with Debian's libtcmalloc-minimal4 installed it is
#   preloaded, which steadies PyTorch's CPU timings.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${1:?usage: $0 PYTHON [--tokens N --dim D --threads T]}
shift
ARGS=("$@")
[ ${#ARGS[@]} -gt 0 ] || ARGS=(--tokens 12608 --dim 768 --threads 2)
TCMALLOC=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
ours=$("$ROOT/bin/kora" bench kora "${ARGS[@]}" 2>/dev/null)
if [ -f "$TCMALLOC" ]; then
  theirs=$(LD_PRELOAD=$TCMALLOC "$PY" "$ROOT/scripts/bench_kora_torch.py" "${ARGS[@]}")
else
  theirs=$("$PY" "$ROOT/scripts/bench_kora_torch.py" "${ARGS[@]}")
fi
echo "$ours"
echo "$theirs"
"$PY" - "$ours" "$theirs" <<'PY'
import json, sys
o, t = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"fused fwd+bwd {o['fused_fwdbwd_ms']} ms: {o['unfused_fwdbwd_ms'] / o['fused_fwdbwd_ms']:.1f}x our unfused, "
      f"{t['fwdbwd_ms'] / o['fused_fwdbwd_ms']:.1f}x PyTorch eager ({t['fwdbwd_ms']} ms)")
PY
