#!/usr/bin/env bash
# On a GPU host, from an unpacked bundle (scripts/make-gpu-bundle.sh), with no JDK, Maven or
# network: runs each gpu test class in a JVM of its own (a device fault is sticky and would fail
# every later class in the same process), each under a time limit; then the fused KoRA update and
# ViT training steps beside PyTorch eager on the same shapes (when python3 has torch with CUDA);
# then prints one table, whatever failed on the way. Logs stay in logs/.
#
# Usage: ./gpu-check.sh [--tokens 12608 --dim 768 --rank 8 --dcomp 4 --steps 100 --batch 64
#                        --model configs/vit_base_224.json --class-timeout 240 --bench-timeout 240 --budget 480]
#   --budget: seconds for everything; what would start later is reported as not run, so the table
#   still comes within a device call's limit.
#   KORA_CUDA_EMULATOR=1 ./gpu-check.sh --tokens 256 --dim 64 --steps 3 --batch 2 --model configs/vit_tiny_32_p8_depth2.json
#   rehearses the whole check on the bundled CPU stand-in (emulator/), where timings mean nothing.
# Exit status: 0 when every gpu test class passed and at least one test ran, 1 otherwise.
set -uo pipefail
B=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$B"
TOKENS=12608 DIM=768 RANK=8 DCOMP=4 STEPS=100 BATCH=64 MODEL=configs/vit_base_224.json CLASS_TIMEOUT=240 BENCH_TIMEOUT=240 BUDGET=480
while [ $# -gt 0 ]; do
    case "$1" in
        --tokens) TOKENS=$2; shift 2 ;;
        --dim) DIM=$2; shift 2 ;;
        --rank) RANK=$2; shift 2 ;;
        --dcomp) DCOMP=$2; shift 2 ;;
        --steps) STEPS=$2; shift 2 ;;
        --batch) BATCH=$2; shift 2 ;;
        --model) MODEL=$2; shift 2 ;;
        --class-timeout) CLASS_TIMEOUT=$2; shift 2 ;;
        --bench-timeout) BENCH_TIMEOUT=$2; shift 2 ;;
        --budget) BUDGET=$2; shift 2 ;;
        *) echo "gpu-check: unknown argument $1" >&2; exit 2 ;;
    esac
done
mkdir -p logs
START=$(date +%s)
# Seconds an item may take: its own limit, or what is left of the budget (0: do not start it).
limit() { local left=$((BUDGET - ($(date +%s) - START))); [ "$left" -gt 0 ] || left=0; echo $(( $1 < left ? $1 : left )); }

JAVA="$B/runtime/bin/java"
# the cpu GEMM's built-in blocking: a first-use tune would spend device time on timing the host's CPU
FLAGS=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx16g -Dkora.tune=off)
# where the stand-in is: used for everything with KORA_CUDA_EMULATOR=1, and on a GPU host by the
# out-of-memory tests, whose children shrink the stand-in's memory (they are skipped without it)
FLAGS+=("-Dkora.cuda.emulator.dir=$B/emulator")
if [ "${KORA_CUDA_EMULATOR:-}" != 1 ]; then
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
fi
CP=$(ls "$B"/jars/*.jar | tr '\n' ':')
# The KoRA update's comparison needs PyTorch with CUDA; the training steps' also need timm.
TORCH=0 TIMM=0
python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null && TORCH=1
[ "$TORCH" = 1 ] && python3 -c 'import timm' 2>/dev/null && TIMM=1

# "N" from the console launcher's "[ N tests successful ]" line (0 when absent).
count() { sed -n "s/.*\[ *\([0-9]*\) tests $1 *\].*/\1/p" "$2" | tail -1 | grep . || echo 0; }

echo "== gpu tests, one JVM per class (at most ${CLASS_TIMEOUT} s each)"
ROWS=() PASSED=0 ALL_OK=1
while read -r class; do
    log="logs/test-$class.log"
    start=$(date +%s)
    seconds=$(limit "$CLASS_TIMEOUT")
    if [ "$seconds" -gt 0 ]; then
        timeout "$seconds" "$JAVA" "${FLAGS[@]}" -jar "$B"/junit/junit-platform-console-standalone-*.jar execute \
            --class-path "$CP" --select-class "$class" --include-tag gpu \
            --details=summary --details-theme=ascii --disable-banner > "$log" 2>&1
        status=$?
    else
        echo "not run: the time budget (--budget $BUDGET) was spent" > "$log"
        status=budget
    fi
    ok=$(count successful "$log") failed=$(count failed "$log") skipped=$(( $(count skipped "$log") + $(count aborted "$log") ))
    verdict=passed
    if [ "$status" = budget ]; then verdict="NOT RUN"; elif [ "$status" = 124 ]; then verdict="TIMED OUT"; elif [ "$status" != 0 ]; then verdict=FAILED; fi
    [ "$verdict" = passed ] || ALL_OK=0
    PASSED=$((PASSED + ok))
    ROWS+=("$(printf '  %-44s %-10s %5s %6s %7s %5s s' "${class##*.}" "$verdict" "$ok" "$failed" "$skipped" $(( $(date +%s) - start )))")
    echo "${ROWS[-1]}"
done < gpu-test-classes.txt

# One benchmark: its JSON line, or why there is none.
bench() { # NAME COMMAND...
    local name=$1; shift
    local out seconds
    seconds=$(limit "$BENCH_TIMEOUT")
    if [ "$seconds" -eq 0 ]; then echo "not run (time budget spent)"; return; fi
    out=$(timeout "$seconds" "$@" 2> "logs/bench-$name.err" | tail -1)
    if [ -n "$out" ] && [ "${out:0:1}" = "{" ]; then echo "$out"; else echo "failed (logs/bench-$name.err)"; fi
}
field() { echo "$2" | sed -n "s/.*\"$1\":\"\{0,1\}\([^,\"}]*\).*/\1/p"; } # FIELD JSON

echo "== benchmarks (medians after warm-up; GPU time by CUDA events)"
KORA=$(bench kora "$JAVA" "${FLAGS[@]}" -cp "$CP" dev.kora4j.cli.Main bench kora --device cuda --tokens "$TOKENS" --dim "$DIM" \
    --rank "$RANK" --dcomp "$DCOMP" --steps "$STEPS" --warmup 10)
KORA_TORCH="PyTorch with CUDA not available here"
if [ "$TORCH" = 1 ]; then
    KORA_TORCH=$(bench kora-torch python3 bench_kora_torch.py --device cuda --tokens "$TOKENS" --dim "$DIM" --rank "$RANK" \
        --dcomp "$DCOMP" --steps "$STEPS" --warmup 10)
fi
declare -A STEP STEP_TORCH
STEP_COMPILED="-"
if [ "$TIMM" = 1 ]; then
    STEP_COMPILED=$(bench step-lora-compiled python3 bench_step_torch.py --device cuda --model "$MODEL" --mode lora \
        --batch "$BATCH" --rank "$RANK" --steps 20 --warmup 3 --compile)
fi
for mode in lora kora; do
    STEP[$mode]=$(bench "step-$mode" "$JAVA" "${FLAGS[@]}" -cp "$CP" dev.kora4j.cli.Main bench step --device cuda --model "$MODEL" \
        --mode "$mode" --batch "$BATCH" --rank "$RANK" --dcomp "$DCOMP" --steps 20 --warmup 3)
    STEP_TORCH[$mode]="-"
    if [ "$TIMM" = 1 ]; then
        STEP_TORCH[$mode]=$(bench "step-$mode-torch" python3 bench_step_torch.py --device cuda --model "$MODEL" --mode "$mode" \
            --batch "$BATCH" --rank "$RANK" --dcomp "$DCOMP" --steps 20 --warmup 3)
    fi
done

echo "== summary"
echo "device: $(field device "$KORA")${KORA_CUDA_EMULATOR:+ (rehearsal on the CPU stand-in: timings mean nothing)}"
printf '  %-44s %-10s %5s %6s %7s %7s\n' "gpu test class" "result" "ok" "failed" "skipped" "time"
printf '%s\n' "${ROWS[@]}"
echo "gpu tests: $([ "$ALL_OK" = 1 ] && [ "$PASSED" -gt 0 ] && echo passed || echo FAILED) ($PASSED successful)"
ms() { local v; v=$(field "$1" "$2"); echo "${v:--}"; }
echo "KoRA update, N=$TOKENS, D=$DIM, r=$RANK, d_comp=$DCOMP          fwd ms   fwd+bwd ms"
printf '  %-40s %8s %11s\n' "kora4j fused (one pass)" "$(ms fused_fwd_ms "$KORA")" "$(ms fused_fwdbwd_ms "$KORA")"
printf '  %-40s %8s %11s\n' "kora4j unfused (primitive ops)" "$(ms unfused_fwd_ms "$KORA")" "$(ms unfused_fwdbwd_ms "$KORA")"
printf '  %-40s %8s %11s\n' "PyTorch eager" "$(ms fwd_ms "$KORA_TORCH")" "$(ms fwdbwd_ms "$KORA_TORCH")"
[ "${KORA:0:1}" = "{" ] || echo "  kora4j: $KORA"
echo "training steps, $(basename "$MODEL" .json), batch $BATCH           images/s    ms/step  peak device MB"
row() { printf '  %-40s %8s %10s %15s\n' "$1" "$(ms images_per_second "$2")" "$(ms ms_per_step "$2")" "$(ms peak_device_mb "$2")"; }
for mode in lora kora; do
    row "kora4j $mode" "${STEP[$mode]}"
    row "PyTorch eager $mode" "${STEP_TORCH[$mode]}"
    [ "${STEP[$mode]:0:1}" = "{" ] || echo "  kora4j $mode: ${STEP[$mode]}"
done
row "PyTorch torch.compile lora" "$STEP_COMPILED"
[ "$ALL_OK" = 1 ] && [ "$PASSED" -gt 0 ]
