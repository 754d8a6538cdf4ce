// The CUDA built-ins the kernels use, for compiling ../*.cu with g++ onto the grid engine (grid.h):
// indices, barriers, warp shuffles, shared memory and the IEEE-rounded intrinsics. It reproduces
// what the code computes, not how fast, and not memory-ordering subtleties a GPU could expose.
#pragma once
#include "grid.h"

#include <math.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#define KORA_EMULATED 1
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
// One copy per CPU thread of the pool, which runs one block at a time: per block, as on the GPU.
#define __shared__ static thread_local
#define __launch_bounds__(n)
#define threadIdx (emu::self().thread)
#define blockIdx (emu::self().block)
#define blockDim (emu::self().block_dim)
#define gridDim (emu::self().grid_dim)
// extern __shared__ (sized at launch) becomes the running block's buffer.
#define DYNAMIC_SHARED(name) float *name = (float *) emu::dynamic_shared()

using std::max;
using std::min;

inline float __int_as_float(int i) {
    float f;
    std::memcpy(&f, &i, 4);
    return f;
}
inline float rsqrtf(float x) { return 1.f / sqrtf(x); }
// Compiled with -ffp-contract=off, so these are single IEEE operations as on the GPU.
inline float __fmul_rn(float a, float b) { return a * b; }
inline float __fadd_rn(float a, float b) { return a + b; }
inline float __fsub_rn(float a, float b) { return a - b; }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __fsqrt_rn(float a) { return sqrtf(a); }

inline void __syncthreads() { emu::sync_block(); }
inline void __syncwarp(unsigned = 0xffffffffu) { emu::sync_warp(); }

template <class T>
T __shfl_xor_sync(unsigned, T v, int lane_mask) {
    static_assert(sizeof(T) <= 8);
    uint64_t bits = 0;
    std::memcpy(&bits, &v, sizeof(T));
    bits = emu::shuffle_xor(bits, lane_mask);
    T r;
    std::memcpy(&r, &bits, sizeof(T));
    return r;
}
