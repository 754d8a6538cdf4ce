package dev.kora4j.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * C = A·B for outputs narrower than one vector (LoRA's x·Aᵀ and g·B with r = 8), where a register
 * tile would leave most lanes idle and, at 4 accumulators, wait on FMA latency. Instead,
 * dot products: k runs along the lanes, rows of a row-major A (read in place) against rows of Bᵀ
 * (packed once, k·n floats, stays in L1/L2). A 4 × 4 block of C is 16 accumulators; their lanes are
 * then summed by a fixed tree of blends and lane swaps that ends with the 16 sums in one vector.
 * Each sum's order depends only on k, so the result does not depend on how rows are split over threads.
 */
final class GemmThin {
    private static final VectorSpecies<Float> S = Simd.F32;
    private static final int L = S.length();
    /**
     * Widest C handled here. From one vector up (KoRA's 3r = 24 included) the 2-vector tile measured
     * as fast or faster (4160×768×24: 150 against 90 GFLOP/s).
     */
    static final int MAX_N = 15;
    /** Rows of C per task. */
    private static final int ROWS_PER_TASK = 64;

    // fold(x, y, s): lanes with bit s clear get x[l] + x[l+s], lanes with it set get y[l−s] + y[l]
    private static final VectorMask<Float> HI8 = lanesWithBit(8), HI4 = lanesWithBit(4), HI2 = lanesWithBit(2), HI1 = lanesWithBit(1);
    private static final FloatVector PAIR8 = pairs(8), PAIR4 = pairs(4), PAIR2 = pairs(2), PAIR1 = pairs(1);

    private GemmThin() {}

    /**
     * The tree sums 16 accumulators of 16 lanes (AVX-512 floats); k must be whole vectors (every ViT
     * width is a multiple of 16), as a masked tail would not fit C2's budget. Other cases take the vector tiles.
     */
    static boolean applies(int n, int k, Gemm.Matrix a) {
        return Simd.ENABLED && L == 16 && n <= MAX_N && k % L == 0 && a.colStride() == 1;
    }

    private static VectorMask<Float> lanesWithBit(int s) {
        boolean[] bits = new boolean[L];
        for (int l = 0; l < L; l++) {
            bits[l] = (l & s) != 0;
        }
        return VectorMask.fromArray(S, bits, 0);
    }

    /** Indexes into (x, y) of each lane's partner: x[l + s] for lanes with bit s clear, else y[l − s]. */
    private static FloatVector pairs(int s) {
        float[] index = new float[L];
        for (int l = 0; l < L; l++) {
            index[l] = (l & s) == 0 ? l + s : L + l - s;
        }
        return FloatVector.fromArray(S, index, 0);
    }

    static void multiply(int m, int n, int k, Gemm.Matrix a, Gemm.Matrix b, float[] c, int cOffset, int ldc,
                         boolean accumulate, boolean parallel) {
        float[] bt = Gemm.Scratch.get().packedB(n * k);
        packTransposed(b, k, n, bt);
        int tasks = (m + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        Gemm.forEach(parallel, tasks, task -> {
            float[] sums = Gemm.Scratch.get().tile();
            int i1 = Math.min(m, (task + 1) * ROWS_PER_TASK);
            for (int i = task * ROWS_PER_TASK; i < i1; i += 4) {
                int rows = Math.min(4, i1 - i);
                // rows past the end repeat the last one (computed, not stored)
                int r0 = a.offset() + i * a.rowStride(), last = rows - 1;
                int r1 = r0 + Math.min(1, last) * a.rowStride();
                int r2 = r0 + Math.min(2, last) * a.rowStride();
                int r3 = r0 + Math.min(3, last) * a.rowStride();
                for (int j = 0; j < n; j += 4) {
                    int cols = Math.min(4, n - j), lastCol = j + cols - 1;
                    dot4x4(k, a.data(), r0, r1, r2, r3, bt, j * k, Math.min(j + 1, lastCol) * k,
                            Math.min(j + 2, lastCol) * k, Math.min(j + 3, lastCol) * k, sums);
                    finish(sums);
                    int at = cOffset + i * ldc + j;
                    for (int r = 0; r < rows; r++) {
                        for (int q = 0; q < cols; q++) {
                            int ci = at + r * ldc + q;
                            c[ci] = accumulate ? c[ci] + sums[4 * r + q] : sums[4 * r + q];
                        }
                    }
                }
            }
        });
    }

    /** bt[j·k + p] = B(p, j). */
    private static void packTransposed(Gemm.Matrix b, int k, int n, float[] bt) {
        float[] src = b.data();
        for (int j = 0; j < n; j++) {
            int from = b.offset() + j * b.colStride(), to = j * k;
            for (int p = 0; p < k; p++) {
                bt[to + p] = src[from + p * b.rowStride()];
            }
        }
    }

    /**
     * The 16 dot products of the rows starting at a0..a3 of a with the columns starting at b0..b3 of bt,
     * k along the lanes, then the first fold: 8 vectors into out[0, 8L). (The folds end in {@link #finish}:
     * one method with all 15 would exceed C2's inlining budget, and its vectors would be boxed.)
     */
    private static void dot4x4(int k, float[] a, int a0, int a1, int a2, int a3,
                               float[] bt, int b0, int b1, int b2, int b3, float[] out) {
        FloatVector s00 = FloatVector.zero(S), s01 = s00, s02 = s00, s03 = s00;
        FloatVector s10 = s00, s11 = s00, s12 = s00, s13 = s00;
        FloatVector s20 = s00, s21 = s00, s22 = s00, s23 = s00;
        FloatVector s30 = s00, s31 = s00, s32 = s00, s33 = s00;
        for (int p = 0; p < k; p += L) {
            FloatVector y0 = FloatVector.fromArray(S, bt, b0 + p);
            FloatVector y1 = FloatVector.fromArray(S, bt, b1 + p);
            FloatVector y2 = FloatVector.fromArray(S, bt, b2 + p);
            FloatVector y3 = FloatVector.fromArray(S, bt, b3 + p);
            FloatVector x = FloatVector.fromArray(S, a, a0 + p);
            s00 = x.fma(y0, s00);
            s01 = x.fma(y1, s01);
            s02 = x.fma(y2, s02);
            s03 = x.fma(y3, s03);
            x = FloatVector.fromArray(S, a, a1 + p);
            s10 = x.fma(y0, s10);
            s11 = x.fma(y1, s11);
            s12 = x.fma(y2, s12);
            s13 = x.fma(y3, s13);
            x = FloatVector.fromArray(S, a, a2 + p);
            s20 = x.fma(y0, s20);
            s21 = x.fma(y1, s21);
            s22 = x.fma(y2, s22);
            s23 = x.fma(y3, s23);
            x = FloatVector.fromArray(S, a, a3 + p);
            s30 = x.fma(y0, s30);
            s31 = x.fma(y1, s31);
            s32 = x.fma(y2, s32);
            s33 = x.fma(y3, s33);
        }
        // accumulator i = 4r + q ends up in lane i: fold i with i + 8 here, then i + 4, i + 2, i + 1
        fold(s00, s20, HI8, PAIR8).intoArray(out, 0);
        fold(s01, s21, HI8, PAIR8).intoArray(out, L);
        fold(s02, s22, HI8, PAIR8).intoArray(out, 2 * L);
        fold(s03, s23, HI8, PAIR8).intoArray(out, 3 * L);
        fold(s10, s30, HI8, PAIR8).intoArray(out, 4 * L);
        fold(s11, s31, HI8, PAIR8).intoArray(out, 5 * L);
        fold(s12, s32, HI8, PAIR8).intoArray(out, 6 * L);
        fold(s13, s33, HI8, PAIR8).intoArray(out, 7 * L);
    }

    /** The remaining folds of {@link #dot4x4}'s 8 vectors: dot product 4r + q lands in sums[4r + q]. */
    private static void finish(float[] sums) {
        FloatVector f0 = fold(load(sums, 0), load(sums, 4), HI4, PAIR4);
        FloatVector f1 = fold(load(sums, 1), load(sums, 5), HI4, PAIR4);
        FloatVector f2 = fold(load(sums, 2), load(sums, 6), HI4, PAIR4);
        FloatVector f3 = fold(load(sums, 3), load(sums, 7), HI4, PAIR4);
        f0 = fold(f0, f2, HI2, PAIR2);
        f1 = fold(f1, f3, HI2, PAIR2);
        fold(f0, f1, HI1, PAIR1).intoArray(sums, 0);
    }

    private static FloatVector load(float[] v, int i) {
        return FloatVector.fromArray(S, v, i * L);
    }

    private static FloatVector fold(FloatVector x, FloatVector y, VectorMask<Float> hi, FloatVector pairs) {
        return x.blend(y, hi).add(pairs.selectFrom(x, y));
    }
}
