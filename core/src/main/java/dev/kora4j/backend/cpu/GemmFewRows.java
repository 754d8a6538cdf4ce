package dev.kora4j.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * C = A·B for a C of a few rows over a long k: LoRA's gradients dA = s·tᵀ·x and dBᵀ = (s·u)ᵀ·g have
 * r = 8 rows (KoRA's 3r = 24) and k = the batch's tokens. {@link Gemm}'s tiles of four rows read B
 * twice for eight rows, and its panels of four vectors leave three tasks for n = 192; here a register
 * tile two vectors wide holds eight rows (AVX-512's 32 registers) or four (AVX2's 16), and B is read in
 * place. Each task takes a range of such panels, k in chunks: in a training step B comes from memory,
 * and tasks that each read a stripe of two vectors of B's rows (128 bytes of 768) were 15–20% slower
 * there. Every element of C is one fma chain over k in order, as in {@link GemmKernels}, so the result
 * has the same bits as on the general path.
 */
final class GemmFewRows {
    private static final VectorSpecies<Float> S = Simd.F32;
    private static final int L = S.length();
    /**
     * Rows of the register tile, two vectors wide: eight with AVX-512 (16 accumulators), four with
     * AVX2, where eight rows by one vector (a half cache line of B per k) ran at 71–88 GFLOP/s and
     * four by two at 118–153 on a Zen 4 (8 and 24 rows, 1576 and 4160 tokens).
     */
    private static final int ROWS = L >= 16 ? 8 : 4;
    /** Most rows taken here (a task covers them in groups of ROWS, B's panel staying in cache). */
    static final int MAX_M = 24;
    /** Below this depth, the general path's packing and blocking cost nothing worth avoiding. */
    private static final int MIN_K = 256;
    /** Rows of B per pass over a task's panels: they stay in L2 for its other panels (96 KB for 96 columns). */
    private static final int K_CHUNK = 256;

    private GemmFewRows() {}

    /** Few rows, a long k, and a B read in place in whole panels of two vectors (every ViT width is a multiple of 32). */
    static boolean applies(int m, int n, int k, Gemm.Matrix b) {
        return Simd.ENABLED && m <= MAX_M && k >= MIN_K && b.colStride() == 1 && n % (2 * L) == 0;
    }

    static void multiply(int m, int n, int k, Gemm.Matrix a, Gemm.Matrix b, float[] c, int cOffset, int ldc,
                         boolean accumulate, boolean parallel) {
        int width = 2 * L, panels = n / width;
        int tasks = parallel ? Math.min(panels, Parallel.threads()) : 1;
        int panelsPerTask = (panels + tasks - 1) / tasks;
        Gemm.forEach(parallel, tasks, task -> {
            int p0 = task * panelsPerTask, p1 = Math.min(panels, p0 + panelsPerTask);
            float[] tile = Gemm.Scratch.get().tile();
            // k in chunks, each over all the task's panels: B streams in rows of the task's width
            for (int k0 = 0; k0 < k; k0 += K_CHUNK) {
                for (int panel = p0; panel < p1; panel++) {
                    panel(m, panel * width, width, k0, Math.min(K_CHUNK, k - k0), a, b, c, cOffset, ldc, accumulate || k0 > 0, tile);
                }
            }
        });
    }

    /**
     * C[0..m, j..j+width) = (or += when add) A·B over B's rows k0..k0+depth, ROWS rows of C at a time
     * (fewer through the task's buffer tile).
     */
    private static void panel(int m, int j, int width, int k0, int depth, Gemm.Matrix a, Gemm.Matrix b, float[] c, int cOffset,
                              int ldc, boolean add, float[] tile) {
        for (int i = 0; i < m; i += ROWS) {
            int rows = Math.min(ROWS, m - i);
            int ai = a.offset() + i * a.rowStride() + k0 * a.colStride();
            int bi = b.offset() + k0 * b.rowStride() + j, ci = cOffset + i * ldc + j;
            // fewer than ROWS rows go through the buffer tile, the last row repeated in the others
            boolean viaTile = rows < ROWS;
            if (viaTile && add) {
                for (int r = 0; r < ROWS; r++) {
                    System.arraycopy(c, ci + Math.min(r, rows - 1) * ldc, tile, r * width, width);
                }
            }
            float[] out = viaTile ? tile : c;
            int outAt = viaTile ? 0 : ci, ldo = viaTile ? width : ldc;
            if (ROWS == 8) {
                tile8x2(depth, a.data(), ai, a.rowStride(), rows, a.colStride(), b.data(), bi, b.rowStride(), out, outAt, ldo, add);
            } else {
                tile4x2(depth, a.data(), ai, a.rowStride(), rows, a.colStride(), b.data(), bi, b.rowStride(), out, outAt, ldo, add);
            }
            if (viaTile) {
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(tile, r * width, c, ci + r * ldc, width);
                }
            }
        }
    }

    /** A's row r of the tile, the last real row standing in for those past it. */
    private static int row(int ai, int aRow, int rows, int r) {
        return ai + Math.min(r, rows - 1) * aRow;
    }

    /** Eight rows by two vectors: C[8 × 2L] = A·B over k steps (+= when fromC), A's values broadcast against B's rows. */
    private static void tile8x2(int k, float[] a, int ai, int aRow, int rows, int aStep, float[] b, int bi, int bStep,
                                float[] c, int ci, int ldc, boolean fromC) {
        int a0 = row(ai, aRow, rows, 0), a1 = row(ai, aRow, rows, 1), a2 = row(ai, aRow, rows, 2), a3 = row(ai, aRow, rows, 3);
        int a4 = row(ai, aRow, rows, 4), a5 = row(ai, aRow, rows, 5), a6 = row(ai, aRow, rows, 6), a7 = row(ai, aRow, rows, 7);
        FloatVector c00 = start(c, ci, fromC), c01 = start(c, ci + L, fromC);
        FloatVector c10 = start(c, ci + ldc, fromC), c11 = start(c, ci + ldc + L, fromC);
        FloatVector c20 = start(c, ci + 2 * ldc, fromC), c21 = start(c, ci + 2 * ldc + L, fromC);
        FloatVector c30 = start(c, ci + 3 * ldc, fromC), c31 = start(c, ci + 3 * ldc + L, fromC);
        FloatVector c40 = start(c, ci + 4 * ldc, fromC), c41 = start(c, ci + 4 * ldc + L, fromC);
        FloatVector c50 = start(c, ci + 5 * ldc, fromC), c51 = start(c, ci + 5 * ldc + L, fromC);
        FloatVector c60 = start(c, ci + 6 * ldc, fromC), c61 = start(c, ci + 6 * ldc + L, fromC);
        FloatVector c70 = start(c, ci + 7 * ldc, fromC), c71 = start(c, ci + 7 * ldc + L, fromC);
        for (int p = 0, at = 0; p < k; p++, at += aStep, bi += bStep) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + at]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + at]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + at]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + at]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[a4 + at]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[a5 + at]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[a6 + at]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[a7 + at]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + L);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + L);
        c60.intoArray(c, ci + 6 * ldc);
        c61.intoArray(c, ci + 6 * ldc + L);
        c70.intoArray(c, ci + 7 * ldc);
        c71.intoArray(c, ci + 7 * ldc + L);
    }

    /** Four rows by two vectors (AVX2: 8 accumulators, B's two vectors and A's broadcast in 16 registers). */
    private static void tile4x2(int k, float[] a, int ai, int aRow, int rows, int aStep, float[] b, int bi, int bStep,
                                float[] c, int ci, int ldc, boolean fromC) {
        int a0 = row(ai, aRow, rows, 0), a1 = row(ai, aRow, rows, 1), a2 = row(ai, aRow, rows, 2), a3 = row(ai, aRow, rows, 3);
        FloatVector c00 = start(c, ci, fromC), c01 = start(c, ci + L, fromC);
        FloatVector c10 = start(c, ci + ldc, fromC), c11 = start(c, ci + ldc + L, fromC);
        FloatVector c20 = start(c, ci + 2 * ldc, fromC), c21 = start(c, ci + 2 * ldc + L, fromC);
        FloatVector c30 = start(c, ci + 3 * ldc, fromC), c31 = start(c, ci + 3 * ldc + L, fromC);
        for (int p = 0, at = 0; p < k; p++, at += aStep, bi += bStep) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + at]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + at]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + at]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + at]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
    }

    private static FloatVector start(float[] c, int at, boolean fromC) {
        return fromC ? FloatVector.fromArray(S, c, at) : FloatVector.zero(S);
    }
}
