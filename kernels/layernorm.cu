// Layer norm over the last dim of contiguous rows [rows, D], forward and backward.
// dγ and dβ are sums over rows: each block writes the partial sums of its own fixed chunk of rows,
// and sum_partials (reduce.cu) adds the chunks in order. No atomics, so the bits repeat.
#include "common.cuh"

// One block per row: μ, then the biased variance from x − μ (two passes, as the reference does).
extern "C" __global__ void layernorm_forward(const float *x, const float *gamma, const float *beta, float eps,
                                             float *out, float *mean, float *rstd, int rows, int d) {
    __shared__ float scratch[32];
    int r = blockIdx.x;
    if (r >= rows) return;
    const float *xr = x + (long) r * d;
    float *yr = out + (long) r * d;
    float s = 0.f;
    for (int j = threadIdx.x; j < d; j += blockDim.x) s += xr[j];
    float mu = block_sum(s, scratch) / d;
    float v = 0.f;
    for (int j = threadIdx.x; j < d; j += blockDim.x) { float c = xr[j] - mu; v += c * c; }
    float rs = rsqrtf(block_sum(v, scratch) / d + eps);
    for (int j = threadIdx.x; j < d; j += blockDim.x) yr[j] = (xr[j] - mu) * rs * gamma[j] + beta[j];
    if (threadIdx.x == 0) { mean[r] = mu; rstd[r] = rs; }
}

// One block per chunk of rows_per_block rows. dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = g·γ.
// When pg is not null, pg/pb [blocks, D] receive this chunk's Σ g·x̂ and Σ g; each column is owned by
// one thread, which adds its rows in order.
extern "C" __global__ void layernorm_backward(const float *x, const float *gamma, const float *mean, const float *rstd,
                                              const float *gy, float *dx, float *pg, float *pb,
                                              int rows, int d, int rows_per_block) {
    __shared__ float scratch[32];
    int first = blockIdx.x * rows_per_block, last = min(rows, first + rows_per_block);
    float *pgr = pg ? pg + (long) blockIdx.x * d : nullptr, *pbr = pb ? pb + (long) blockIdx.x * d : nullptr;
    if (pgr)
        for (int j = threadIdx.x; j < d; j += blockDim.x) { pgr[j] = 0.f; pbr[j] = 0.f; }
    for (int r = first; r < last; r++) {
        const float *xr = x + (long) r * d, *gr = gy + (long) r * d;
        float *dr = dx + (long) r * d;
        float mu = mean[r], rs = rstd[r];
        float sg = 0.f, sgx = 0.f;
        for (int j = threadIdx.x; j < d; j += blockDim.x) {
            float xhat = (xr[j] - mu) * rs, ghat = gr[j] * gamma[j];
            sg += ghat;
            sgx += ghat * xhat;
        }
        float mean_g = block_sum(sg, scratch) / d;
        float mean_gx = block_sum(sgx, scratch) / d;
        for (int j = threadIdx.x; j < d; j += blockDim.x) {
            float xhat = (xr[j] - mu) * rs;
            dr[j] = (gr[j] * gamma[j] - mean_g - xhat * mean_gx) * rs;
            if (pgr) { pgr[j] += gr[j] * xhat; pbr[j] += gr[j]; }
        }
    }
}
