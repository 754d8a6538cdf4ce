#!/usr/bin/env bash
# Builds the CUDA stand-in with g++: OUT_DIR/libcuda.so.1 (the driver API, the project's kernels
# compiled for the CPU) and OUT_DIR/libcublas.so.12 (the cuBLAS calls the backend makes). Each
# defines every function JCuda 12.6's bindings import, those the project does not use as stubs
# that say so. Used only when KORA_CUDA_EMULATOR=1 (CudaContext loads them before JCuda does).
#
#   kernels/emu/build.sh OUT_DIR PTXAS_REPORT JCUDA_NATIVES_JAR JCUBLAS_NATIVES_JAR
#
# PTXAS_REPORT is kernels/build.sh's report: each kernel's registers and static shared memory on
# sm_90, which the stand-in's launch limits use. Without g++, or without compiled kernels, it
# says so and exits 0 (the gpu tests then skip). Skips the build when nothing changed.
set -euo pipefail

if [ $# -ne 4 ]; then
    echo "usage: $0 OUT_DIR PTXAS_REPORT JCUDA_NATIVES_JAR JCUBLAS_NATIVES_JAR" >&2
    exit 2
fi
here="$(cd "$(dirname "$0")" && pwd)"
kernels="$(dirname "$here")"
out=$1 report=$2 jcuda=$3 jcublas=$4
say() { echo "cuda stand-in: $*"; }

if ! command -v g++ >/dev/null 2>&1; then
    say "g++ is not on the PATH, so the CUDA stand-in is not built (the gpu tests will be skipped)"
    exit 0
fi
if [ ! -f "$report" ]; then
    say "the CUDA kernels were not compiled (no $report), so the stand-in is not built"
    exit 0
fi
for jar in "$jcuda" "$jcublas"; do
    if [ ! -f "$jar" ]; then
        say "JCuda's native libraries for this platform were not found ($jar), so the stand-in is not built"
        exit 0
    fi
done
if [ -f "$out/libcuda.so.1" ] && [ -f "$out/libcublas.so.12" ] && [ ! "$report" -nt "$out/libcuda.so.1" ] &&
   [ -z "$(find "$kernels" -newer "$out/libcuda.so.1" \( -name '*.cu' -o -name '*.cuh' -o -name '*.h' -o -name '*.def' -o -name '*.cpp' -o -name '*.sh' \))" ]; then
    say "$out is up to date"
    exit 0
fi

start=$(date +%s)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unzip -q -o "$jcuda" 'lib/libJCudaDriver-*' -d "$work/jcuda"
unzip -q -o "$jcublas" 'lib/libJCublas2-*' -d "$work/jcublas"

# KERNEL(name, launch bound, registers, static shared bytes) for every kernel of the sources, the
# last two from ptxas's sm_90 lines ("Compiling entry function 'x' for 'sm_90'", then "Used N registers, ... S bytes smem").
awk '/Compiling entry function/ { name = ($0 ~ /for .sm_90.$/) ? $0 : ""; sub(/^[^\x27]*\x27/, "", name); sub(/\x27.*$/, "", name); next }
     name != "" && /Used [0-9]+ registers/ {
         regs = $0; sub(/.*Used /, "", regs); sub(/ registers.*/, "", regs)
         smem = 0; if (match($0, /[0-9]+ bytes smem/)) { smem = substr($0, RSTART, RLENGTH); sub(/ bytes smem/, "", smem) }
         print name, regs, smem; name = "" }' "$report" | sort -u > "$work/resources"
grep -hoE 'extern "C" __global__ void (__launch_bounds__\([0-9]+\) *)?[a-z_0-9]+' "$kernels"/*.cu |
    sed -E 's/.*__launch_bounds__\(([0-9]+)\) *([a-z_0-9]+)$/\2 \1/; s/^extern "C" __global__ void ([a-z_0-9]+)$/\1 0/' | sort > "$work/kernels"
join "$work/kernels" "$work/resources" | awk '{ printf "KERNEL(%s, %s, %s, %s)\n", $1, $2, $3, $4 }' > "$work/kernel_table.inc"
if [ "$(wc -l < "$work/kernel_table.inc")" -ne "$(wc -l < "$work/kernels")" ]; then
    echo "cuda stand-in: kernels missing from $report: $(join -v1 "$work/kernels" "$work/resources" | cut -d' ' -f1 | tr '\n' ' ')" >&2
    exit 1
fi

# -ffp-contract=off: each float operation of a kernel is one IEEE operation, as the sources say.
# TLS descriptors (gnu2 on x86-64) make the built-ins' thread-local reads cheap in a library loaded late.
tls=(); [ "$(uname -m)" = x86_64 ] && tls=(-mtls-dialect=gnu2)
CXX=(g++ -std=c++20 -O2 -fPIC -pthread -ffp-contract=off -fvisibility=hidden -Wall -Wno-unknown-pragmas "${tls[@]}"
     -I "$here/include" -I "$here" -I "$kernels" -I "$work")
for src in grid memory kernels driver cublas; do
    "${CXX[@]}" -c "$here/$src.cpp" -o "$work/$src.o" &
done
wait_all() { local failed=0; for job in $(jobs -p); do wait "$job" || failed=1; done; return $failed; }
wait_all

# Stubs for every imported function not implemented: they print their name once and return NOT_SUPPORTED.
stubs() { # IMPORTS DEFINED_OBJECT OUT_CPP RESULT: writes IMPORTS.missing
    nm -g --defined-only "$2" | awk '{ print $3 }' | sort -u > "$work/defined"
    comm -23 "$1" "$work/defined" > "$1.missing"
    {
        echo 'extern "C" int kora_emu_unsupported(const char *name);'
        while read -r s; do
            echo "extern \"C\" __attribute__((visibility(\"default\"))) int $s() { return $4; }"
        done < "$1.missing"
    } > "$3"
}
nm -D --undefined-only "$work"/jcuda/lib/libJCudaDriver-*.so | awk '{ print $2 }' | grep '^cu' | sort -u > "$work/cuda-imports"
stubs "$work/cuda-imports" "$work/driver.o" "$work/cuda_stubs.cpp" 'kora_emu_unsupported(__func__)'
readelf --dyn-syms -W "$work"/jcublas/lib/libJCublas2-*.so | awk '$7 == "UND" && $8 ~ /@libcublas\.so\.12/ { split($8, a, "@"); print a[1] }' |
    sort -u > "$work/cublas-imports"
# cuBLAS's NOT_SUPPORTED is 15; the driver's helper prints the name.
stubs "$work/cublas-imports" "$work/cublas.o" "$work/cublas_stubs.cpp" '(kora_emu_unsupported(__func__), 15)'
"${CXX[@]}" -c "$work/cuda_stubs.cpp" -o "$work/cuda_stubs.o"
"${CXX[@]}" -c "$work/cublas_stubs.cpp" -o "$work/cublas_stubs.o"

{ echo '{ global: cu*; kora_emu_*; local: *; };'; } > "$work/cuda.map"
{ echo 'libcublas.so.12 { global:'; sed 's/.*/  &;/' "$work/cublas-imports"; echo 'local: *; };'; } > "$work/cublas.map"
g++ -shared -pthread -o "$work/libcuda.so.1" -Wl,-soname,libcuda.so.1 -Wl,--version-script="$work/cuda.map" \
    "$work/grid.o" "$work/memory.o" "$work/kernels.o" "$work/driver.o" "$work/cuda_stubs.o"
g++ -shared -pthread -o "$work/libcublas.so.12" -Wl,-soname,libcublas.so.12 -Wl,--version-script="$work/cublas.map" \
    "$work/cublas.o" "$work/cublas_stubs.o" "$work/libcuda.so.1"

# Every import must be defined, or JCuda's binding would fail to bind it.
for lib in cuda cublas; do
    so="$work/lib$lib.so.$([ $lib = cuda ] && echo 1 || echo 12)"
    nm -D --defined-only "$so" | awk '{ print $3 }' | sed 's/@.*//' | sort -u > "$work/exported"
    if [ -n "$(comm -23 "$work/$lib-imports" "$work/exported")" ]; then
        echo "cuda stand-in: $so lacks $(comm -23 "$work/$lib-imports" "$work/exported" | head -3 | tr '\n' ' ')" >&2
        exit 1
    fi
done
mkdir -p "$out"
mv "$work/libcublas.so.12" "$out/libcublas.so.12.tmp" && mv "$out/libcublas.so.12.tmp" "$out/libcublas.so.12"
mv "$work/libcuda.so.1" "$out/libcuda.so.1.tmp" && mv "$out/libcuda.so.1.tmp" "$out/libcuda.so.1"
real() { echo "$(( $(wc -l < "$work/$1-imports") - $(wc -l < "$work/$1-imports.missing") )) of $(wc -l < "$work/$1-imports")"; }
say "$out: libcuda.so.1 ($(real cuda) functions real, the rest stubs; $(wc -l < "$work/kernel_table.inc") kernels)," \
    "libcublas.so.12 ($(real cublas)) in $(( $(date +%s) - start )) s"
