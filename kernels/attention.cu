// Multi-head self-attention for ViT sizes (65 or 197 tokens), over qkv [B, N, 3D] as timm's qkv
// Linear writes it: q, k, v blocks of D columns, head h at columns h·hd of each (hd = D/H).
// Grid (row tiles, H, B); each warp owns one query row (forward, backward rows) or one key
// column (backward columns) and keeps that row of scores in shared memory. Sums run in a fixed
// order per warp, so results repeat bit for bit. Shared memory per block:
// warps·(hd + N) floats (forward and backward rows) or warps·2N floats (backward columns).
#include "common.cuh"

struct Heads {
    int n;      // tokens
    int d;      // model width D (qkv rows are 3D wide)
    int hd;     // head width
};

// probs[b, h, i, :] = softmax(scale·q_i·Kᵀ), out[b, i, h·hd + c] = Σ_j probs_ij·v_j[c].
extern "C" __global__ void attention_forward(const float *qkv, Heads s, float scale, float *out, float *probs) {
    extern __shared__ float smem[];
    int warps = blockDim.x >> 5, w = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int h = blockIdx.y, b = blockIdx.z, i = blockIdx.x * warps + w;
    if (i >= s.n) return;  // whole warps leave; the block never synchronises
    int heads = gridDim.y;
    float *sq = smem + w * (s.hd + s.n), *sp = sq + s.hd;
    const float *base = qkv + (long) b * s.n * 3 * s.d;
    const float *q = base + (long) i * 3 * s.d + h * s.hd;
    for (int c = lane; c < s.hd; c += 32) sq[c] = q[c];
    __syncwarp();

    float mx = -INFINITY;
    for (int j = lane; j < s.n; j += 32) {
        const float *k = base + (long) j * 3 * s.d + s.d + h * s.hd;
        float dot = 0.f;
        for (int c = 0; c < s.hd; c++) dot += sq[c] * k[c];
        sp[j] = scale * dot;
        mx = fmaxf(mx, sp[j]);
    }
    mx = warp_max(mx);
    float sum = 0.f;
    for (int j = lane; j < s.n; j += 32) { sp[j] = expf(sp[j] - mx); sum += sp[j]; }
    sum = warp_sum(sum);
    float *prow = probs + (((long) b * heads + h) * s.n + i) * s.n;
    for (int j = lane; j < s.n; j += 32) { sp[j] /= sum; prow[j] = sp[j]; }
    __syncwarp();

    for (int c = lane; c < s.hd; c += 32) {
        float acc = 0.f;
        for (int j = 0; j < s.n; j++) acc += sp[j] * base[(long) j * 3 * s.d + 2 * s.d + h * s.hd + c];
        out[((long) b * s.n + i) * s.d + h * s.hd + c] = acc;
    }
}

// Backward, rows: dP_ij = dO_i·v_j, dS_ij = P_ij·(dP_ij − Σ_j dP_ij·P_ij)·scale (written to ds for the
// column pass), and dq_i = Σ_j dS_ij·k_j.
extern "C" __global__ void attention_backward_rows(const float *qkv, const float *probs, const float *gout, Heads s,
                                                   float scale, float *ds, float *dqkv) {
    extern __shared__ float smem[];
    int warps = blockDim.x >> 5, w = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int h = blockIdx.y, b = blockIdx.z, i = blockIdx.x * warps + w;
    if (i >= s.n) return;
    int heads = gridDim.y;
    float *sg = smem + w * (s.hd + s.n), *sd = sg + s.hd;
    const float *base = qkv + (long) b * s.n * 3 * s.d;
    const float *go = gout + ((long) b * s.n + i) * s.d + h * s.hd;
    for (int c = lane; c < s.hd; c += 32) sg[c] = go[c];
    __syncwarp();

    long row = (((long) b * heads + h) * s.n + i) * s.n;
    float dot = 0.f;
    for (int j = lane; j < s.n; j += 32) {
        const float *v = base + (long) j * 3 * s.d + 2 * s.d + h * s.hd;
        float dp = 0.f;
        for (int c = 0; c < s.hd; c++) dp += sg[c] * v[c];
        sd[j] = dp;
        dot += dp * probs[row + j];
    }
    dot = warp_sum(dot);
    for (int j = lane; j < s.n; j += 32) {
        sd[j] = probs[row + j] * (sd[j] - dot) * scale;
        ds[row + j] = sd[j];
    }
    __syncwarp();

    for (int c = lane; c < s.hd; c += 32) {
        float acc = 0.f;
        for (int j = 0; j < s.n; j++) acc += sd[j] * base[(long) j * 3 * s.d + s.d + h * s.hd + c];
        dqkv[((long) b * s.n + i) * 3 * s.d + h * s.hd + c] = acc;
    }
}

// Backward, columns: for key/value token t, dk_t = Σ_i dS_it·q_i and dv_t = Σ_i P_it·dO_i.
extern "C" __global__ void attention_backward_cols(const float *qkv, const float *probs, const float *gout, Heads s,
                                                   const float *ds, float *dqkv) {
    extern __shared__ float smem[];
    int warps = blockDim.x >> 5, w = threadIdx.x >> 5, lane = threadIdx.x & 31;
    int h = blockIdx.y, b = blockIdx.z, t = blockIdx.x * warps + w;
    if (t >= s.n) return;
    int heads = gridDim.y;
    float *scol = smem + w * 2 * s.n, *pcol = scol + s.n;
    long mat = ((long) b * heads + h) * s.n * s.n;
    for (int i = lane; i < s.n; i += 32) {
        scol[i] = ds[mat + (long) i * s.n + t];
        pcol[i] = probs[mat + (long) i * s.n + t];
    }
    __syncwarp();

    const float *base = qkv + (long) b * s.n * 3 * s.d;
    float *drow = dqkv + ((long) b * s.n + t) * 3 * s.d;
    for (int c = lane; c < s.hd; c += 32) {
        float dk = 0.f, dv = 0.f;
        for (int i = 0; i < s.n; i++) {
            dk += scol[i] * base[(long) i * 3 * s.d + h * s.hd + c];
            dv += pcol[i] * gout[((long) b * s.n + i) * s.d + h * s.hd + c];
        }
        drow[s.d + h * s.hd + c] = dk;
        drow[2 * s.d + h * s.hd + c] = dv;
    }
}
