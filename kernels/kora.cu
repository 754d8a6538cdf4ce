// KoRA's fused per-token passes (docs: kora-math.md §4). With u = x·Âᵀ [N, 3r] and M = W1·B̂ [dc, 3r]
// computed beforehand (small GEMMs), per token t:
//   forward:  pre_t = M·u_t + b1,  h_t = GELU(pre_t),  v_t += g·(W2·h_t + b2)
//   backward: e_t = W2ᵀ·dv_t,  dpre_t = g·e_t ⊙ GELU'(pre_t),  du_t = Mᵀ·dpre_t,
//             and the sums over tokens G = Σ dpre_t ⊗ u_t, db1 = Σ dpre_t, dg = Σ ⟨dv_t, W2·h_t + b2⟩,
//             dW2 = g·Σ dv_t ⊗ h_t, db2 = g·Σ dv_t.
// Nothing N×3D exists: per token only vectors of width 3r, dc and D are read or written.
// Sums over tokens are split into fixed chunks of tokens; each block writes its chunk's partial
// sums and sum_partials (reduce.cu) adds the chunks in order, so results repeat bit for bit.
// The gate g is read from device memory (a parameter trained there), never passed by the host.
#include "common.cuh"

#define KORA_MAX_DC 32

// One block per token. v's rows may be strided (vrow), its columns are contiguous.
extern "C" __global__ void kora_forward(const float *u, const float *m, const float *b1, const float *w2,
                                        const float *b2, const float *gate_at, float *pre, float *v, int vrow,
                                        int n, int r3, int dc, int d) {
    DYNAMIC_SHARED(sh);  // h_t [dc]
    int t = blockIdx.x;
    if (t >= n) return;
    float gate = *gate_at;
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

// One block per chunk of `chunk` tokens, one warp per token: warp w takes tokens first + w,
// first + w + warps, ... in order, so no block-wide barrier runs per token. Writes du [N, 3r] and
// h [N, dc] (for kora_backward_weights), and partials [blocks, dc·3r + dc + 1]: this chunk's G
// (row-major [dc, 3r]), db1 and dg, the warps' sums added in warp order.
// Shared memory: warps · (dc·3r + 2·dc + 1) floats.
extern "C" __global__ void kora_backward_tokens(const float *u, const float *pre, const float *m, const float *w2,
                                                const float *b2, const float *gate_at, const float *dv, int dvrow,
                                                float *du, float *h, float *partials,
                                                int n, int r3, int dc, int d, int chunk) {
    DYNAMIC_SHARED(smem);
    float gate = *gate_at;
    int warps = blockDim.x >> 5, w = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int width = dc * r3 + dc + 1, stride = width + dc;
    float *part = smem + w * stride;  // this warp's G, db1, dg
    float *sdpre = part + width;      // this warp's dpre of its current token
    for (int k = lane; k < width; k += 32) part[k] = 0.f;
    int first = blockIdx.x * chunk, last = min(n, first + chunk);
    for (int t = first + w; t < last; t += warps) {
        // e_i = Σ_o W2[o, i]·dv_t[o] and ⟨dv_t, b2⟩: each lane a strided slice, then a butterfly,
        // which leaves every lane holding the same sums.
        const float *dvt = dv + (long) t * dvrow;
        float e[KORA_MAX_DC + 1];
#pragma unroll
        for (int i = 0; i <= KORA_MAX_DC; i++) e[i] = 0.f;
        for (int o = lane; o < d; o += 32) {
            float g = dvt[o];
#pragma unroll
            for (int i = 0; i < KORA_MAX_DC; i++)
                if (i < dc) e[i] = fmaf(w2[o * dc + i], g, e[i]);
            e[KORA_MAX_DC] = fmaf(b2[o], g, e[KORA_MAX_DC]);
        }
        float dgt = warp_sum(e[KORA_MAX_DC]);  // ⟨dv_t, b2⟩, then + Σ_i e_i·h_i
#pragma unroll
        for (int i = 0; i < KORA_MAX_DC; i++) {
            if (i < dc) {
                float ei = warp_sum(e[i]);
                float p = pre[(long) t * dc + i], hi = gelu(p);
                dgt = fmaf(ei, hi, dgt);
                if (lane == 0) {
                    sdpre[i] = gate * ei * gelu_grad(p);
                    h[(long) t * dc + i] = hi;
                }
            }
        }
        __syncwarp();
        const float *ut = u + (long) t * r3;
        for (int j = lane; j < r3; j += 32) {  // du = Mᵀ·dpre
            float acc = 0.f;
            for (int i = 0; i < dc; i++) acc = fmaf(m[i * r3 + j], sdpre[i], acc);
            du[(long) t * r3 + j] = acc;
        }
        for (int k = lane; k < dc * r3; k += 32) part[k] = fmaf(sdpre[k / r3], ut[k % r3], part[k]);  // G += dpre ⊗ u
        for (int i = lane; i < dc; i += 32) part[dc * r3 + i] += sdpre[i];                              // db1 += dpre
        if (lane == 0) part[dc * r3 + dc] += dgt;
        __syncwarp();  // sdpre is rewritten for the warp's next token
    }
    __syncthreads();
    float *out = partials + (long) blockIdx.x * width;
    for (int k = threadIdx.x; k < width; k += blockDim.x) {
        float s = 0.f;
        for (int v = 0; v < warps; v++) s += smem[v * stride + k];
        out[k] = s;
    }
}

// Grid (ceil(D / blockDim), chunks): thread o sums its chunk's tokens in order into
// partials [chunks, D·dc + D]: dW2 (row-major [D, dc]) then db2.
extern "C" __global__ void kora_backward_weights(const float *dv, int dvrow, const float *h, const float *gate_at,
                                                 float *partials, int n, int dc, int d, int chunk) {
    int o = blockIdx.x * blockDim.x + threadIdx.x;
    if (o >= d) return;
    float gate = *gate_at;
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
