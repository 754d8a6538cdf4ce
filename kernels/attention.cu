// Multi-head self-attention for ViT sizes (65 or 197 tokens), over qkv [B, N, 3D] as timm's qkv
// Linear writes it: q, k, v blocks of D columns, head h at columns h·hd of each (hd = D/H).
// Grid (row tiles, H, B); each warp owns one query row (forward, backward rows) or one key
// column (backward columns) and keeps that row of scores in shared memory; keys and values pass
// through shared memory a tile of 32 tokens at a time, read once per block rather than once per
// warp. Sums run in a fixed order, so results repeat bit for bit.
#include "common.cuh"

struct Heads {
    int n;      // tokens
    int d;      // model width D (qkv rows are 3D wide)
    int hd;     // head width
};

#define ATT_TILE 32     // keys (or values) staged in shared memory at a time: one per lane
#define ATT_MAX_HD 256  // head width the per-lane accumulators cover (8 columns per lane)

// Stages tokens j0 .. j0+cnt−1 of one head's q, k or v block (src already at that block's column
// h·hd) into tile [ATT_TILE][hd + 1]; the padding puts lanes reading one column of different rows
// in different banks. Every thread of the block takes part: it holds both barriers.
__device__ void stage_tile(float *tile, const float *src, int j0, int cnt, const Heads &s) {
    __syncthreads();  // the previous tile is no longer read
    for (int e = threadIdx.x; e < cnt * s.hd; e += blockDim.x) {
        int j = e / s.hd, c = e % s.hd;
        tile[j * (s.hd + 1) + c] = src[(long) (j0 + j) * 3 * s.d + c];
    }
    __syncthreads();
}

// Shared memory: ATT_TILE·(hd + 1) floats for the tile, then per warp a row vector [hd] and a
// score row [N]. Blocks of `warps` query rows, one per warp; warps past the last row still help
// stage tiles.
// probs[b, h, i, :] = softmax(scale·q_i·Kᵀ), out[b, i, h·hd + c] = Σ_j probs_ij·v_j[c].
extern "C" __global__ void attention_forward(const float *qkv, Heads s, float scale, float *out, float *probs) {
    DYNAMIC_SHARED(smem);
    int warps = blockDim.x >> 5, w = threadIdx.x >> 5, lane = threadIdx.x & 31, ld = s.hd + 1;
    int h = blockIdx.y, b = blockIdx.z, i = blockIdx.x * warps + w, heads = gridDim.y;
    bool active = i < s.n;
    float *tile = smem, *sq = smem + ATT_TILE * ld + w * (s.hd + s.n), *sp = sq + s.hd;
    const float *base = qkv + (long) b * s.n * 3 * s.d;
    if (active)
        for (int c = lane; c < s.hd; c += 32) sq[c] = base[(long) i * 3 * s.d + h * s.hd + c];
    __syncwarp();

    float mx = -INFINITY;  // scores, a tile of keys at a time, one key per lane
    for (int j0 = 0; j0 < s.n; j0 += ATT_TILE) {
        int cnt = min(ATT_TILE, s.n - j0);
        stage_tile(tile, base + s.d + h * s.hd, j0, cnt, s);
        if (active && lane < cnt) {
            float dot = 0.f;
            for (int c = 0; c < s.hd; c++) dot += sq[c] * tile[lane * ld + c];
            sp[j0 + lane] = scale * dot;
            mx = fmaxf(mx, sp[j0 + lane]);
        }
    }
    if (active) {
        mx = warp_max(mx);
        float sum = 0.f;
        for (int j = lane; j < s.n; j += 32) { sp[j] = expf(sp[j] - mx); sum += sp[j]; }
        sum = warp_sum(sum);
        float *prow = probs + (((long) b * heads + h) * s.n + i) * s.n;
        for (int j = lane; j < s.n; j += 32) { sp[j] /= sum; prow[j] = sp[j]; }
    }
    __syncwarp();

    float acc[ATT_MAX_HD / 32] = {};  // out_i = Σ_j p_ij·v_j, a tile of values at a time; lane owns columns lane + 32k
    for (int j0 = 0; j0 < s.n; j0 += ATT_TILE) {
        int cnt = min(ATT_TILE, s.n - j0);
        stage_tile(tile, base + 2 * s.d + h * s.hd, j0, cnt, s);
        if (active) {
#pragma unroll
            for (int k = 0; k < ATT_MAX_HD / 32; k++) {
                int c = lane + 32 * k;
                if (c < s.hd)
                    for (int j = 0; j < cnt; j++) acc[k] += sp[j0 + j] * tile[j * ld + c];
            }
        }
    }
    if (active) {
#pragma unroll
        for (int k = 0; k < ATT_MAX_HD / 32; k++) {
            int c = lane + 32 * k;
            if (c < s.hd) out[((long) b * s.n + i) * s.d + h * s.hd + c] = acc[k];
        }
    }
}

// Backward, rows (same blocks and shared layout as the forward): dP_ij = dO_i·v_j,
// dS_ij = P_ij·(dP_ij − Σ_j dP_ij·P_ij)·scale (written to ds for the column pass), and
// dq_i = Σ_j dS_ij·k_j.
extern "C" __global__ void attention_backward_rows(const float *qkv, const float *probs, const float *gout, Heads s,
                                                   float scale, float *ds, float *dqkv) {
    DYNAMIC_SHARED(smem);
    int warps = blockDim.x >> 5, w = threadIdx.x >> 5, lane = threadIdx.x & 31, ld = s.hd + 1;
    int h = blockIdx.y, b = blockIdx.z, i = blockIdx.x * warps + w, heads = gridDim.y;
    bool active = i < s.n;
    float *tile = smem, *sg = smem + ATT_TILE * ld + w * (s.hd + s.n), *sd = sg + s.hd;
    const float *base = qkv + (long) b * s.n * 3 * s.d;
    long row = (((long) b * heads + h) * s.n + i) * s.n;
    if (active)
        for (int c = lane; c < s.hd; c += 32) sg[c] = gout[((long) b * s.n + i) * s.d + h * s.hd + c];
    __syncwarp();

    float dot = 0.f;  // dP, a tile of values at a time, one value row per lane
    for (int j0 = 0; j0 < s.n; j0 += ATT_TILE) {
        int cnt = min(ATT_TILE, s.n - j0);
        stage_tile(tile, base + 2 * s.d + h * s.hd, j0, cnt, s);
        if (active && lane < cnt) {
            float dp = 0.f;
            for (int c = 0; c < s.hd; c++) dp += sg[c] * tile[lane * ld + c];
            sd[j0 + lane] = dp;
            dot += dp * probs[row + j0 + lane];
        }
    }
    if (active) {
        dot = warp_sum(dot);
        for (int j = lane; j < s.n; j += 32) {
            sd[j] = probs[row + j] * (sd[j] - dot) * scale;
            ds[row + j] = sd[j];
        }
    }
    __syncwarp();

    float acc[ATT_MAX_HD / 32] = {};  // dq_i = Σ_j dS_ij·k_j, a tile of keys at a time
    for (int j0 = 0; j0 < s.n; j0 += ATT_TILE) {
        int cnt = min(ATT_TILE, s.n - j0);
        stage_tile(tile, base + s.d + h * s.hd, j0, cnt, s);
        if (active) {
#pragma unroll
            for (int k = 0; k < ATT_MAX_HD / 32; k++) {
                int c = lane + 32 * k;
                if (c < s.hd)
                    for (int j = 0; j < cnt; j++) acc[k] += sd[j0 + j] * tile[j * ld + c];
            }
        }
    }
    if (active) {
#pragma unroll
        for (int k = 0; k < ATT_MAX_HD / 32; k++) {
            int c = lane + 32 * k;
            if (c < s.hd) dqkv[((long) b * s.n + i) * 3 * s.d + h * s.hd + c] = acc[k];
        }
    }
}

// Backward, columns: for key/value token t, dk_t = Σ_i dS_it·q_i and dv_t = Σ_i P_it·dO_i.
extern "C" __global__ void attention_backward_cols(const float *qkv, const float *probs, const float *gout, Heads s,
                                                   const float *ds, float *dqkv) {
    DYNAMIC_SHARED(smem);
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
