// Shared helpers for every kernel: strided layouts, exact GELU, and block reductions whose order
// depends only on blockDim (never on timing), so that every sum is the same bits on every run.
#pragma once
#include <cuda_runtime.h>
#include <math.h>

#define MAX_RANK 8

// The block's dynamic shared memory (its size is given at launch) as a float array. The CUDA
// stand-in (emu/cuda_emu.h) defines its own.
#ifndef DYNAMIC_SHARED
#define DYNAMIC_SHARED(name) extern __shared__ float name[]
#endif

// A tensor view as the host describes it: shape and strides in elements (the base pointer is
// already moved to the view's offset). Passed by value; the host fills 1 + 2·MAX_RANK ints.
struct Layout {
    int rank;
    int shape[MAX_RANK];
    int stride[MAX_RANK];
};

// Storage offset of the i-th element in row-major order of the layout's shape.
__device__ __forceinline__ long layout_offset(const Layout &l, long i) {
    // Unrolled with constant indices, so that the layout stays in parameter space (a loop indexed
    // by l.rank would copy it to a stack frame).
    if (l.rank == 1 && l.stride[0] == 1) return i;  // contiguous (the host collapses those to one dim)
    long at = 0;
#pragma unroll
    for (int d = MAX_RANK - 1; d >= 0; d--) {
        if (d < l.rank) {
            int n = l.shape[d];
            at += (long) (i % n) * l.stride[d];
            i /= n;
        }
    }
    return at;
}

// Exact GELU, 0.5·x·(1 + erf(x/√2)), written with erfc for x < 0 so that 1 + erf does not cancel.
__device__ __forceinline__ float gelu(float x) {
    return 0.5f * x * erfcf(-x * 0.70710678118654752f);
}

// d GELU / dx = Φ(x) + x·φ(x).
__device__ __forceinline__ float gelu_grad(float x) {
    return 0.5f * erfcf(-x * 0.70710678118654752f) + x * 0.39894228040143268f * expf(-0.5f * x * x);
}

// GELU with the tanh approximation, 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), and its derivative.
__device__ __forceinline__ float gelu_tanh(float x) {
    float t = tanhf(0.7978845608028654f * (x + 0.044715f * x * x * x));
    return 0.5f * x * (1.f + t);
}

__device__ __forceinline__ float gelu_tanh_grad(float x) {
    const float k = 0.7978845608028654f;
    float t = tanhf(k * (x + 0.044715f * x * x * x));
    return 0.5f * (1.f + t) + 0.5f * x * (1.f - t * t) * k * (1.f + 3.f * 0.044715f * x * x);
}

__device__ __forceinline__ float warp_sum(float v) {
    for (int s = 16; s > 0; s >>= 1) v += __shfl_xor_sync(0xffffffffu, v, s);
    return v;
}

__device__ __forceinline__ float warp_max(float v) {
    for (int s = 16; s > 0; s >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, s));
    return v;
}

// Sum of v over the block, returned to every thread. Needs blockDim.x a multiple of 32 (≤ 1024)
// and a __shared__ float[32] scratch; the warps' partials are added in warp order.
__device__ float block_sum(float v, float *scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_sum(v);
    __syncthreads();  // scratch may still be read by a previous call
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    float total = 0.f;
    for (int w = 0; w < warps; w++) total += scratch[w];
    return total;
}

__device__ float block_max(float v, float *scratch) {
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    v = warp_max(v);
    __syncthreads();
    if (lane == 0) scratch[warp] = v;
    __syncthreads();
    float best = -INFINITY;
    for (int w = 0; w < warps; w++) best = fmaxf(best, scratch[w]);
    return best;
}
