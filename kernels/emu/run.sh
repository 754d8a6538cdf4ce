#!/usr/bin/env bash
# Checks the kernels' logic on the CPU: compiles ../module.cu with g++ onto the CUDA stand-in's grid
# engine (grid.cpp: each block's threads as fibers with real barriers and shuffles) and runs
# check.cpp's comparisons with plain double loops. Needs g++ >= 12 (C++20); no GPU, no nvcc.
#   kernels/emu/run.sh [--quiet]    --quiet: print only failed checks and the summary
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v g++ >/dev/null 2>&1; then
    echo "kernel checks: g++ is not on the PATH, so the kernels' CPU checks are skipped"
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
g++ -std=c++20 -O1 -ffp-contract=off -Wno-unknown-pragmas -pthread -I "$here/include" -I "$here" -I "$here/.." \
    -o "$work/check" "$here/check.cpp" "$here/grid.cpp"
if [ "${1:-}" = --quiet ]; then
    "$work/check" > "$work/out" && status=0 || status=$?
    grep -v '^ok ' "$work/out" | sed 's/^/kernel checks: /'
    exit $status
fi
"$work/check"
