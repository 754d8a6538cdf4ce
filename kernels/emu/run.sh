#!/usr/bin/env bash
# Checks the kernels' logic on the CPU: compiles ../module.cu with g++ onto the CUDA stand-in's grid
# engine (grid.cpp: each block's threads as fibers with real barriers and shuffles) and runs
# check.cpp's comparisons with plain double loops. Needs g++ >= 12 (C++20); no GPU, no nvcc.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
g++ -std=c++20 -O1 -ffp-contract=off -Wno-unknown-pragmas -pthread -I "$here/include" -I "$here" -I "$here/.." \
    -o "$work/check" "$here/check.cpp" "$here/grid.cpp"
"$work/check"
