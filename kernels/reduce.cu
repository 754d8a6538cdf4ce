// Reductions over the last dim of contiguous rows [rows, cols] (the host first copies the reduced
// dims to the end). One block per row; the block's tree is fixed, so the sums repeat bit for bit.
#include "common.cuh"

// out[r] = Σ_j x[r, j]. Each thread sums a strided slice in order, then the block adds the slices.
extern "C" __global__ void sum_rows(const float *x, float *out, int rows, int cols) {
    __shared__ float scratch[32];
    int r = blockIdx.x;
    if (r >= rows) return;
    const float *row = x + (long) r * cols;
    float acc = 0.f;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) acc += row[j];
    acc = block_sum(acc, scratch);
    if (threadIdx.x == 0) out[r] = acc;
}

// Column sums of contiguous rows [rows, cols] (a sum over leading dims, such as a bias gradient
// over tokens), without moving the reduced dims last: block (x, c) sums rows [c·chunk, (c+1)·chunk)
// of its columns in row order into partials [chunks, cols]; sum_partials adds the chunks in order.
extern "C" __global__ void sum_cols(const float *x, float *partials, int rows, int cols, int chunk) {
    int j = blockIdx.x * blockDim.x + threadIdx.x;
    if (j >= cols) return;
    int first = blockIdx.y * chunk, last = min(rows, first + chunk);
    float acc = 0.f;
    for (int r = first; r < last; r++) acc += x[(long) r * cols + j];
    partials[(long) blockIdx.y * cols + j] = acc;
}

// Orders (value, index) pairs as the reference does: NaN beats any number, a larger value beats a
// smaller one, and among equals the smaller index wins. A total order, so the tree's shape does not matter.
__device__ __forceinline__ bool better(float v, int i, float bv, int bi) {
    bool vn = isnan(v), bn = isnan(bv);
    if (vn != bn) return vn;
    if (!vn && v != bv) return v > bv;
    return i < bi;
}

// out[r] = max_j x[r, j] and argmax[r] = the first j where it occurs.
extern "C" __global__ void max_rows(const float *x, float *out, int *argmax, int rows, int cols) {
    __shared__ float sv[32];
    __shared__ int si[32];
    int r = blockIdx.x;
    if (r >= rows) return;
    const float *row = x + (long) r * cols;
    float best = -INFINITY;
    int at = 0x7fffffff;
    for (int j = threadIdx.x; j < cols; j += blockDim.x)
        if (better(row[j], j, best, at)) { best = row[j]; at = j; }
    for (int s = 16; s > 0; s >>= 1) {
        float ov = __shfl_xor_sync(0xffffffffu, best, s);
        int oi = __shfl_xor_sync(0xffffffffu, at, s);
        if (better(ov, oi, best, at)) { best = ov; at = oi; }
    }
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    if (lane == 0) { sv[warp] = best; si[warp] = at; }
    __syncthreads();
    if (threadIdx.x == 0) {
        for (int w = 1; w < (int) (blockDim.x >> 5); w++)
            if (better(sv[w], si[w], best, at)) { best = sv[w]; at = si[w]; }
        out[r] = best;
        argmax[r] = at;
    }
}

// out[k] = Σ_c partials[c, k] for c = 0..chunks−1 in order: the second, fixed-order pass of every
// "per-block partials" sum (layer norm's dγ and dβ, KoRA's sums over tokens).
extern "C" __global__ void sum_partials(const float *partials, float *out, int chunks, int width) {
    int k = blockIdx.x * blockDim.x + threadIdx.x;
    if (k >= width) return;
    float acc = 0.f;
    for (int c = 0; c < chunks; c++) acc += partials[(long) c * width + k];
    out[k] = acc;
}
