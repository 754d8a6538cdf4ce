// KoRA's fused per-token passes (docs: kora-math.md §4). With u = x·Âᵀ [N, 3r] and M = W1·B̂ [dc, 3r]
// computed beforehand (small GEMMs), per token t:
//   forward:  pre_t = M·u_t + b1,  h_t = GELU(pre_t),  v_t += g·(W2·h_t + b2)
//   backward: e_t = W2ᵀ·dv_t,  dpre_t = g·e_t ⊙ GELU'(pre_t),  du_t = Mᵀ·dpre_t,
//             and the sums over tokens G = Σ dpre_t ⊗ u_t, db1 = Σ dpre_t, dg = Σ ⟨dv_t, W2·h_t + b2⟩,
//             dW2 = g·Σ dv_t ⊗ h_t, db2 = g·Σ dv_t.
// Nothing N×3D exists: per token only vectors of width 3r, dc and D are read or written.
// Sums over tokens are split into fixed chunks of tokens; each block writes its chunk's partial
// sums and sum_partials (reduce.cu) adds the chunks in order, so results repeat bit for bit.
#include "common.cuh"

#define KORA_MAX_DC 32

// One block per token. v's rows may be strided (vrow), its columns are contiguous.
extern "C" __global__ void kora_forward(const float *u, const float *m, const float *b1, const float *w2,
                                        const float *b2, float gate, float *pre, float *v, int vrow,
                                        int n, int r3, int dc, int d) {
    extern __shared__ float sh[];  // h_t [dc]
    int t = blockIdx.x;
    if (t >= n) return;
    const float *ut = u + (long) t * r3;
    for (int i = threadIdx.x; i < dc; i += blockDim.x) {
        float acc = b1[i];
        for (int j = 0; j < r3; j++) acc = fmaf(m[i * r3 + j], ut[j], acc);
        pre[(long) t * dc + i] = acc;
        sh[i] = gelu(acc);
    }
    __syncthreads();
    float *vt = v + (long) t * vrow;
    for (int o = threadIdx.x; o < d; o += blockDim.x) {
        float delta = b2[o];
        for (int i = 0; i < dc; i++) delta = fmaf(w2[o * dc + i], sh[i], delta);
        vt[o] = fmaf(delta, gate, vt[o]);
    }
}

// One block per chunk of `chunk` tokens. Writes du [N, 3r] and h [N, dc] (for kora_backward_weights),
// and partials [blocks, dc·3r + dc + 1]: this chunk's G (row-major [dc, 3r]), db1, and dg.
// Shared memory: dc·3r + 3·dc + 1 + (blockDim/32)·(KORA_MAX_DC + 1) floats.
extern "C" __global__ void kora_backward_tokens(const float *u, const float *pre, const float *m, const float *w2,
                                                const float *b2, float gate, const float *dv, int dvrow,
                                                float *du, float *h, float *partials,
                                                int n, int r3, int dc, int d, int chunk) {
    extern __shared__ float smem[];
    int warps = blockDim.x >> 5, w = threadIdx.x >> 5, lane = threadIdx.x & 31;
    float *sG = smem, *sdb1 = sG + dc * r3, *sdpre = sdb1 + dc, *se = sdpre + dc, *wsum = se + dc + 1;
    for (int k = threadIdx.x; k < dc * r3; k += blockDim.x) sG[k] = 0.f;
    for (int i = threadIdx.x; i < dc; i += blockDim.x) sdb1[i] = 0.f;
    float dg = 0.f;  // kept by thread 0
    int first = blockIdx.x * chunk, last = min(n, first + chunk);
    for (int t = first; t < last; t++) {
        const float *dvt = dv + (long) t * dvrow;
        // e_i = Σ_o W2[o, i]·dv_t[o] and ⟨dv_t, b2⟩: per-thread slices, then warps, then warps in order.
        float e[KORA_MAX_DC + 1];
#pragma unroll
        for (int i = 0; i <= KORA_MAX_DC; i++) e[i] = 0.f;
        for (int o = threadIdx.x; o < d; o += blockDim.x) {
            float g = dvt[o];
#pragma unroll
            for (int i = 0; i < KORA_MAX_DC; i++)
                if (i < dc) e[i] = fmaf(w2[o * dc + i], g, e[i]);
            e[KORA_MAX_DC] = fmaf(b2[o], g, e[KORA_MAX_DC]);
        }
#pragma unroll
        for (int i = 0; i <= KORA_MAX_DC; i++) {
            if (i < dc || i == KORA_MAX_DC) {
                float s = warp_sum(e[i]);
                if (lane == 0) wsum[w * (KORA_MAX_DC + 1) + i] = s;
            }
        }
        __syncthreads();
        for (int i = threadIdx.x; i <= dc; i += blockDim.x) {
            int slot = i < dc ? i : KORA_MAX_DC;
            float s = 0.f;
            for (int k = 0; k < warps; k++) s += wsum[k * (KORA_MAX_DC + 1) + slot];
            se[i] = s;  // se[dc] = ⟨dv_t, b2⟩
        }
        __syncthreads();
        for (int i = threadIdx.x; i < dc; i += blockDim.x) {
            float p = pre[(long) t * dc + i], hi = gelu(p);
            float dp = gate * se[i] * gelu_grad(p);
            h[(long) t * dc + i] = hi;
            sdpre[i] = dp;
            sdb1[i] += dp;
        }
        if (threadIdx.x == 0) {
            float dgt = se[dc];
            for (int i = 0; i < dc; i++) dgt = fmaf(se[i], gelu(pre[(long) t * dc + i]), dgt);
            dg += dgt;
        }
        __syncthreads();
        const float *ut = u + (long) t * r3;
        for (int j = threadIdx.x; j < r3; j += blockDim.x) {
            float acc = 0.f;
            for (int i = 0; i < dc; i++) acc = fmaf(m[i * r3 + j], sdpre[i], acc);
            du[(long) t * r3 + j] = acc;
        }
        for (int k = threadIdx.x; k < dc * r3; k += blockDim.x) sG[k] = fmaf(sdpre[k / r3], ut[k % r3], sG[k]);
        __syncthreads();  // sdpre, se and wsum are rewritten by the next token
    }
    float *out = partials + (long) blockIdx.x * (dc * r3 + dc + 1);
    for (int k = threadIdx.x; k < dc * r3; k += blockDim.x) out[k] = sG[k];
    for (int i = threadIdx.x; i < dc; i += blockDim.x) out[dc * r3 + i] = sdb1[i];
    if (threadIdx.x == 0) out[dc * r3 + dc] = dg;
}

// Grid (ceil(D / blockDim), chunks): thread o sums its chunk's tokens in order into
// partials [chunks, D·dc + D]: dW2 (row-major [D, dc]) then db2.
extern "C" __global__ void kora_backward_weights(const float *dv, int dvrow, const float *h, float gate,
                                                 float *partials, int n, int dc, int d, int chunk) {
    int o = blockIdx.x * blockDim.x + threadIdx.x;
    if (o >= d) return;
    float acc[KORA_MAX_DC], db2 = 0.f;
#pragma unroll
    for (int i = 0; i < KORA_MAX_DC; i++) acc[i] = 0.f;
    int first = blockIdx.y * chunk, last = min(n, first + chunk);
    for (int t = first; t < last; t++) {
        float g = gate * dv[(long) t * dvrow + o];
        db2 += g;
#pragma unroll
        for (int i = 0; i < KORA_MAX_DC; i++)
            if (i < dc) acc[i] = fmaf(g, h[(long) t * dc + i], acc[i]);
    }
    float *out = partials + (long) blockIdx.y * ((long) d * dc + d);
#pragma unroll
    for (int i = 0; i < KORA_MAX_DC; i++)
        if (i < dc) out[(long) o * dc + i] = acc[i];
    out[(long) d * dc + o] = db2;
}
