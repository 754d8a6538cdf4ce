// KoRA's fused passes (docs: kora-math.md §4). With u = x·Âᵀ [N, 3r] computed beforehand (a thin
// GEMM) and M = W1·B̂ [dc, 3r] by kora_compose (one launch), per token t:
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

// One block per chunk of `chunk` tokens, in two phases that read the chunk's dv' rows from memory
// once (the second phase finds them in the cache the first filled):
//  1. one warp per token: warp w takes tokens first + w, first + w + warps, ... in order, so no
//     block-wide barrier runs per token. It writes du [N, 3r], keeps h_t in shared memory and adds
//     its tokens' G (row-major [dc, 3r]), db1 and dg into its own sums, added in warp order after.
//  2. one thread per column o of v: dW2[o, :] and db2[o] over the chunk's tokens, in token order.
// partials [blocks, dc·3r + dc + 1 + D·dc + D]: per chunk G, db1, dg, dW2 (row-major [D, dc]), db2.
// Shared memory: warps · (dc·3r + 2·dc + 1) + chunk · dc floats.
extern "C" __global__ void kora_backward(const float *u, const float *pre, const float *m, const float *w2,
                                         const float *b2, const float *gate_at, const float *dv, int dvrow,
                                         float *du, float *partials, int n, int r3, int dc, int d, int chunk) {
    DYNAMIC_SHARED(smem);
    float gate = *gate_at;
    int warps = blockDim.x >> 5, w = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int width = dc * r3 + dc + 1, stride = width + dc;
    float *part = smem + w * stride;          // this warp's G, db1, dg
    float *sdpre = part + width;              // this warp's dpre of its current token
    float *sh = smem + warps * stride;        // h of the chunk's tokens [chunk, dc]
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
                    sh[(t - first) * dc + i] = hi;
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
    float *out = partials + (long) blockIdx.x * (width + (long) d * dc + d);
    for (int k = threadIdx.x; k < width; k += blockDim.x) {
        float s = 0.f;
        for (int v = 0; v < warps; v++) s += smem[v * stride + k];
        out[k] = s;
    }
    float *dw2 = out + width, *db2 = dw2 + (long) d * dc;
    for (int o = threadIdx.x; o < d; o += blockDim.x) {
        float acc[KORA_MAX_DC], bias = 0.f;
#pragma unroll
        for (int i = 0; i < KORA_MAX_DC; i++) acc[i] = 0.f;
        for (int t = first; t < last; t++) {
            float g = gate * dv[(long) t * dvrow + o];
            bias += g;
#pragma unroll
            for (int i = 0; i < KORA_MAX_DC; i++)
                if (i < dc) acc[i] = fmaf(g, sh[(t - first) * dc + i], acc[i]);
        }
#pragma unroll
        for (int i = 0; i < KORA_MAX_DC; i++)
            if (i < dc) dw2[(long) o * dc + i] = acc[i];
        db2[o] = bias;
    }
}

// M = s·[W1_q·B_q, W1_k·B_k, W1_v·B_v] [dc, 3r] from W1 [dc, 3D] and B_j [D, r]: one block per
// element of M, its threads taking strided slices of the sum over D, the warps' sums added in order.
extern "C" __global__ void kora_compose(const float *w1, const float *bq, const float *bk, const float *bv,
                                        float s, float *m, int d, int r, int dc) {
    __shared__ float warp_sums[32];
    int col = blockIdx.x, i = blockIdx.y;  // col = j·r + k
    int j = col / r, k = col % r;
    const float *b = j == 0 ? bq : j == 1 ? bk : bv;
    const float *w = w1 + (long) i * 3 * d + (long) j * d;
    float acc = 0.f;
    for (int o = threadIdx.x; o < d; o += blockDim.x) acc = fmaf(w[o], b[(long) o * r + k], acc);
    acc = warp_sum(acc);
    if ((threadIdx.x & 31) == 0) warp_sums[threadIdx.x >> 5] = acc;
    __syncthreads();
    if (threadIdx.x == 0) {
        float total = 0.f;
        for (int v = 0; v < (int) (blockDim.x >> 5); v++) total += warp_sums[v];
        m[i * 3 * r + col] = s * total;
    }
}

// The gradients through M from G = dL/dM [dc, 3r]: dW1[i, j·D + o] = s·Σ_k G[i, j·r + k]·B_j[o, k]
// and dB_j[o, k] = s·Σ_i W1[i, j·D + o]·G[i, j·r + k]. Grid (ceil(D / blockDim), 3): one thread per
// (j, o), with G staged in shared memory (dc·3r floats).
extern "C" __global__ void kora_compose_backward(const float *w1, const float *bq, const float *bk, const float *bv,
                                                 const float *g, float s, float *dw1, float *dbq, float *dbk,
                                                 float *dbv, int d, int r, int dc) {
    DYNAMIC_SHARED(sg);
    for (int e = threadIdx.x; e < dc * 3 * r; e += blockDim.x) sg[e] = g[e];
    __syncthreads();
    int j = blockIdx.y, o = blockIdx.x * blockDim.x + threadIdx.x;
    if (o >= d) return;
    const float *b = (j == 0 ? bq : j == 1 ? bk : bv) + (long) o * r;
    float *db = (j == 0 ? dbq : j == 1 ? dbk : dbv) + (long) o * r;
    for (int i = 0; i < dc; i++) {
        const float *gi = sg + i * 3 * r + j * r;
        float acc = 0.f;
        for (int k = 0; k < r; k++) acc = fmaf(gi[k], b[k], acc);
        dw1[(long) i * 3 * d + (long) j * d + o] = s * acc;
    }
    for (int k = 0; k < r; k++) {
        float acc = 0.f;
        for (int i = 0; i < dc; i++) acc = fmaf(w1[(long) i * 3 * d + (long) j * d + o], sg[i * 3 * r + j * r + k], acc);
        db[k] = s * acc;
    }
}
