#!/usr/bin/env bash
# Checks the kernels' logic on the CPU: compiles ../module.cu against cuda_emu.h (each block as
# real threads with real barriers and shuffles) with g++, and runs check.cpp's comparisons with
# plain double loops. Needs g++ ≥ 12 (C++20); no GPU, no nvcc.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# `extern __shared__` (dynamic shared memory) becomes a pointer to the emulator's per-block buffer.
for f in "$here"/../*.cu "$here"/../*.cuh "$here"/../*.h; do
    sed -E 's/extern __shared__ float ([a-z_]+)\[\];/float *\1 = (float *) emu_dynamic_shared();/' "$f" > "$work/$(basename "$f")"
done
mv "$work/module.cu" "$work/module_emu.cu"
g++ -std=c++20 -O1 -ffp-contract=off -pthread -I "$here/include" -I "$work" -o "$work/check" "$here/check.cpp"
"$work/check"
