#!/usr/bin/env bash
# On a GPU host, from an unpacked bundle (scripts/make-gpu-bundle.sh), with no JDK, Maven or
# network: runs the gpu tests, then the KoRA update and a ViT-B/16 KoRA training step beside PyTorch
# eager on the same shapes (when python3 has torch and timm), and prints one table.
#
# Usage: ./gpu-check.sh [--tokens 12608 --dim 768 --rank 8 --dcomp 4 --steps 100 --batch 64]
#   Exit status: 0 when the gpu tests pass (and at least one ran), 1 otherwise.
set -uo pipefail
B=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$B"
TOKENS=12608 DIM=768 RANK=8 DCOMP=4 STEPS=100 BATCH=64
while [ $# -gt 0 ]; do
    case "$1" in
        --tokens) TOKENS=$2; shift 2 ;;
        --dim) DIM=$2; shift 2 ;;
        --rank) RANK=$2; shift 2 ;;
        --dcomp) DCOMP=$2; shift 2 ;;
        --steps) STEPS=$2; shift 2 ;;
        --batch) BATCH=$2; shift 2 ;;
        *) echo "gpu-check: unknown argument $1" >&2; exit 2 ;;
    esac
done

# cuBLAS: JCuda 12.6 wants libcublas.so.12; with only CUDA 13's libcublas.so.13 here, the bundled
# shim forwards to it. Without either, the backend uses its own GEMM kernel (and says so).
cublas13=""
for dir in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/lib/x86_64-linux-gnu \
           $(python3 -c 'import site; print(" ".join(site.getsitepackages()))' 2>/dev/null); do
    found=$(find "$dir" -maxdepth 5 -name 'libcublas.so.13*' 2>/dev/null | head -1)
    if [ -n "$found" ]; then cublas13=$(dirname "$found"); break; fi
done
if [ -n "$cublas13" ]; then
    export LD_LIBRARY_PATH="$B/native:$cublas13${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

JAVA="$B/runtime/bin/java"
FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx16g)
CP=$(ls "$B"/jars/*.jar | tr '\n' ':')

echo "== gpu tests"
"$JAVA" "${FLAGS[@]}" -jar "$B"/junit/junit-platform-console-standalone-*.jar execute \
    --class-path "$CP" --select-package dev.kora4j --include-tag gpu \
    --details=summary --details-theme=ascii --disable-banner 2>&1 | tee "$B/gpu-tests.log"
tests_status=${PIPESTATUS[0]}
ran=$(sed -n 's/.*\[ *\([0-9]*\) tests successful.*/\1/p' "$B/gpu-tests.log" | tail -1)

echo "== benchmarks (median of $STEPS, after warm-up; GPU time by CUDA events)"
ours=$("$JAVA" "${FLAGS[@]}" -cp "$CP" dev.kora4j.cli.Main bench kora --device cuda --tokens "$TOKENS" --dim "$DIM" \
    --rank "$RANK" --dcomp "$DCOMP" --steps "$STEPS" --warmup 10 2>"$B/bench-ours.err")
echo "ours:    ${ours:-failed (see bench-ours.err)}"
theirs=""
if python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
    theirs=$(python3 "$B/bench_kora_torch.py" --device cuda --tokens "$TOKENS" --dim "$DIM" --rank "$RANK" \
        --dcomp "$DCOMP" --steps "$STEPS" --warmup 10 2>"$B/bench-torch.err")
    echo "PyTorch: ${theirs:-failed (see bench-torch.err)}"
else
    echo "PyTorch: not available with CUDA here"
fi

# A ViT-B/16 224 KoRA training step (KoRA on qkv, LoRA on proj/fc1/fc2, new head, AdamW).
step_ours=$("$JAVA" "${FLAGS[@]}" -cp "$CP" dev.kora4j.cli.Main bench step --device cuda --model "$B/configs/vit_base_224.json" \
    --mode kora --batch "$BATCH" --rank "$RANK" --dcomp "$DCOMP" --steps 20 --warmup 3 2>"$B/step-ours.err")
echo "ours:    ${step_ours:-failed (see step-ours.err)}"
step_theirs=""
if python3 -c 'import timm, torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
    step_theirs=$(python3 "$B/bench_step_torch.py" --device cuda --model "$B/configs/vit_base_224.json" --mode kora \
        --batch "$BATCH" --rank "$RANK" --dcomp "$DCOMP" --steps 20 --warmup 3 2>"$B/step-torch.err")
    echo "PyTorch: ${step_theirs:-failed (see step-torch.err)}"
fi

echo "== summary"
python3 - "${ran:-0}" "$tests_status" "$TOKENS" "$DIM" "$RANK" "$DCOMP" "$ours" "$theirs" "$BATCH" "$step_ours" "$step_theirs" <<'PY'
import json, sys
ran, status, n, d, r, dc, ours, theirs, batch, step_ours, step_theirs = sys.argv[1:12]
o = json.loads(ours) if ours else {}
t = json.loads(theirs) if theirs else {}
so = json.loads(step_ours) if step_ours else {}
st = json.loads(step_theirs) if step_theirs else {}
def ms(x):
    return f"{x:.3f}" if isinstance(x, (int, float)) else "-"
print(f"gpu tests: {'passed' if status == '0' and int(ran) > 0 else 'FAILED'} ({ran} successful)")
print(f"device: {o.get('device', '-')}")
print(f"KoRA update, N={n}, D={d}, r={r}, d_comp={dc}     fwd ms   fwd+bwd ms")
print(f"  kora4j fused (one pass)              {ms(o.get('fused_fwd_ms')):>8} {ms(o.get('fused_fwdbwd_ms')):>11}")
print(f"  kora4j unfused (primitive ops)       {ms(o.get('unfused_fwd_ms')):>8} {ms(o.get('unfused_fwdbwd_ms')):>11}")
print(f"  PyTorch eager {t.get('torch', ''):<22} {ms(t.get('fwd_ms')):>8} {ms(t.get('fwdbwd_ms')):>11}")
if o.get('fused_fwdbwd_ms') and t.get('fwdbwd_ms'):
    print(f"  fused fwd+bwd vs PyTorch eager: {t['fwdbwd_ms'] / o['fused_fwdbwd_ms']:.1f}x (the issue asks for at least 5x)")
print(f"ViT-B/16 224 KoRA training step, batch {batch}      images/s   ms/step")
print(f"  kora4j                               {so.get('images_per_second', '-'):>8} {so.get('ms_per_step', '-'):>9}")
print(f"  PyTorch eager (unfused KoRA)         {st.get('images_per_second', '-'):>8} {st.get('ms_per_step', '-'):>9}")
PY
[ "$tests_status" = 0 ] && [ "${ran:-0}" -gt 0 ]
