#!/usr/bin/env bash
# Compiles the CUDA kernels into one fatbin, when nvcc is on the PATH; otherwise says so and exits 0,
# so that the jar builds without CUDA (the cuda backend then reports that its kernels are missing).
#
#   kernels/build.sh OUT_DIR REPORT
#
# OUT_DIR receives dev/kora4j/backend/cuda/kora.fatbin (a classpath resource); REPORT receives
# ptxas's registers, shared memory and spills per kernel and architecture (-Xptxas -v).
# SASS for sm_80, sm_86, sm_89 and sm_90, plus PTX for compute_90 (newer GPUs JIT-compile it).
# Skips the compile when the fatbin is newer than every source.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 OUT_DIR REPORT" >&2
    exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
out_dir="$1/dev/kora4j/backend/cuda"
fatbin="$out_dir/kora.fatbin"
report="$2"

if ! command -v nvcc >/dev/null 2>&1; then
    echo "kernels: nvcc is not on the PATH; the CUDA kernels are not built (the cuda backend will say so)"
    exit 0
fi

if [ -f "$fatbin" ] && [ -f "$report" ] && [ -z "$(find "$here" -newer "$fatbin" \( -name '*.cu' -o -name '*.cuh' -o -name '*.h' -o -name '*.def' -o -name build.sh \))" ]; then
    echo "kernels: $fatbin is up to date"
    exit 0
fi

mkdir -p "$out_dir" "$(dirname "$report")"
start=$(date +%s)
nvcc -fatbin -O3 --threads 2 \
    -gencode arch=compute_80,code=sm_80 \
    -gencode arch=compute_86,code=sm_86 \
    -gencode arch=compute_89,code=sm_89 \
    -gencode arch=compute_90,code=sm_90 \
    -gencode arch=compute_90,code=compute_90 \
    -Xptxas -v \
    -o "$fatbin.tmp" "$here/module.cu" 2> "$report.tmp" || { cat "$report.tmp" >&2; exit 1; }
mv "$fatbin.tmp" "$fatbin"
mv "$report.tmp" "$report"
kernels=$(grep -c "Compiling entry function .* for 'sm_90'" "$report" || true)
spills=$( (grep -E "[1-9][0-9]* bytes spill (stores|loads)" "$report" || true) | wc -l)
echo "kernels: $kernels kernels into $fatbin ($(stat -c %s "$fatbin") bytes) in $(( $(date +%s) - start )) s;" \
     "lines reporting spills: $spills; ptxas report in $report"
