// The hand-written SGEMM, used when cuBLAS cannot be loaded: C = A·B (or C += A·B) per batch, with
// A [M, K] and B [K, N] given by element strides (so transposed operands cost no copy) and C
// row-major with leading dimension ldc. Batches (blockIdx.z) step by their own strides.
//
// Tiles of 64×64 outputs per block of 256 threads (16×16), each thread computing a 4×4 grid of
// outputs spaced 16 apart (conflict-free shared reads, coalesced stores), over K in slabs of 16.
#include "common.cuh"

#define TM 64
#define TN 64
#define TK 16

struct Operand {
    long batch_stride;
    int row_stride;
    int col_stride;
};

extern "C" __global__ void __launch_bounds__(256) sgemm(const float *a, Operand la, const float *b, Operand lb,
                                                        float *c, long c_batch_stride, int ldc,
                                                        int m, int n, int k, int accumulate) {
    __shared__ float as[TK][TM + 1];
    __shared__ float bs[TK][TN + 1];
    a += blockIdx.z * la.batch_stride;
    b += blockIdx.z * lb.batch_stride;
    c += blockIdx.z * c_batch_stride;
    int tx = threadIdx.x & 15, ty = threadIdx.x >> 4;
    int row0 = blockIdx.y * TM, col0 = blockIdx.x * TN;
    float acc[4][4] = {};

    for (int k0 = 0; k0 < k; k0 += TK) {
        // Each thread loads 4 elements of each tile; the index runs fastest along the unit-stride
        // dimension of the operand, so that neighbouring threads read neighbouring addresses.
        for (int e = threadIdx.x; e < TM * TK; e += 256) {
            int i, p;
            if (la.col_stride == 1) { i = e / TK; p = e % TK; } else { i = e % TM; p = e / TM; }
            int gi = row0 + i, gp = k0 + p;
            as[p][i] = gi < m && gp < k ? a[(long) gi * la.row_stride + (long) gp * la.col_stride] : 0.f;
        }
        for (int e = threadIdx.x; e < TK * TN; e += 256) {
            int p, j;
            if (lb.col_stride == 1) { p = e / TN; j = e % TN; } else { p = e % TK; j = e / TK; }
            int gp = k0 + p, gj = col0 + j;
            bs[p][j] = gp < k && gj < n ? b[(long) gp * lb.row_stride + (long) gj * lb.col_stride] : 0.f;
        }
        __syncthreads();
#pragma unroll
        for (int p = 0; p < TK; p++) {
            float ar[4], br[4];
#pragma unroll
            for (int q = 0; q < 4; q++) { ar[q] = as[p][ty + 16 * q]; br[q] = bs[p][tx + 16 * q]; }
#pragma unroll
            for (int x = 0; x < 4; x++)
#pragma unroll
                for (int y = 0; y < 4; y++) acc[x][y] = fmaf(ar[x], br[y], acc[x][y]);
        }
        __syncthreads();
    }
#pragma unroll
    for (int x = 0; x < 4; x++) {
        int gi = row0 + ty + 16 * x;
        if (gi >= m) continue;
#pragma unroll
        for (int y = 0; y < 4; y++) {
            int gj = col0 + tx + 16 * y;
            if (gj >= n) continue;
            float *out = c + (long) gi * ldc + gj;
            *out = accumulate ? *out + acc[x][y] : acc[x][y];  // C is never read unless accumulating (it may hold NaN)
        }
    }
}
