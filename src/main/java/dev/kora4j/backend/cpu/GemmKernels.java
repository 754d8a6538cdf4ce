package dev.kora4j.backend.cpu;

import static dev.kora4j.backend.cpu.Gemm.MR;
import static dev.kora4j.backend.cpu.Gemm.NR;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register tiles of {@link Gemm}: MR = 4 rows of C by 1, 2 or 3 vectors, loaded from C (or zero),
 * accumulated over kc steps as A's values are broadcast against a row of B, and stored. A's row r at step p is
 * a[ai + r·aRow + p·aStep] (a packed panel: aRow 1, aStep MR; row-major A read in place: aRow lda,
 * aStep 1), and B's columns at step p start at b[bi + p·bStep]. Each width is its own method: a narrow
 * edge panel (17 of 65 columns, 16 of 64) should not pay for three vectors. The tiles have no branches
 * and no epilogue: C2 keeps vectors in registers only while a method stays within its inlining node
 * budget, a few dozen vector ops, and boxes them past it (seen as allocation per tile).
 */
final class GemmKernels {
    private static final VectorSpecies<Float> S = Simd.F32;
    private static final int L = S.length();

    /** The start of a tile of C = A·B: read with row stride 0. */
    static final float[] ZEROS = new float[Gemm.NR];

    private GemmKernels() {}

    /**
     * C[0..MR, 0..nv·L) = C0 + A·B over kc steps, nv = 1, 2 or 3 vectors, where C0 (row stride ld0) is C
     * itself when accumulating and {@link #ZEROS} (ld0 = 0) when not: no branch, no zeroing pass.
     */
    static void tile(int nv, int kc, float[] a, int ai, int aRow, int aStep,
                     float[] b, int bi, int bStep, float[] c0, int c0i, int ld0, float[] c, int ci, int ldc) {
        if (!Simd.ENABLED) {
            scalar(nv * L, kc, a, ai, aRow, aStep, b, bi, bStep, c0, c0i, ld0, c, ci, ldc);
        } else if (nv == 3) {
            tile3(kc, a, ai, aRow, aStep, b, bi, bStep, c0, c0i, ld0, c, ci, ldc);
        } else if (nv == 2) {
            tile2(kc, a, ai, aRow, aStep, b, bi, bStep, c0, c0i, ld0, c, ci, ldc);
        } else {
            tile1(kc, a, ai, aRow, aStep, b, bi, bStep, c0, c0i, ld0, c, ci, ldc);
        }
    }

    private static void tile3(int kc, float[] a, int ai, int aRow, int aStep,
                              float[] b, int bi, int bStep, float[] c0, int c0i, int ld0, float[] c, int ci, int ldc) {
        int s1 = c0i + ld0, s2 = c0i + 2 * ld0, s3 = c0i + 3 * ld0;
        FloatVector c00 = load(c0, c0i), c01 = load(c0, c0i + L), c02 = load(c0, c0i + 2 * L);
        FloatVector c10 = load(c0, s1), c11 = load(c0, s1 + L), c12 = load(c0, s1 + 2 * L);
        FloatVector c20 = load(c0, s2), c21 = load(c0, s2 + L), c22 = load(c0, s2 + 2 * L);
        FloatVector c30 = load(c0, s3), c31 = load(c0, s3 + L), c32 = load(c0, s3 + 2 * L);
        for (int p = 0; p < kc; p++, ai += aStep, bi += bStep) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * L);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(S, a[ai + aRow]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(S, a[ai + 2 * aRow]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            x = FloatVector.broadcast(S, a[ai + 3 * aRow]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
        }
        int r1 = ci + ldc, r2 = ci + 2 * ldc, r3 = ci + 3 * ldc;
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c02.intoArray(c, ci + 2 * L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c12.intoArray(c, r1 + 2 * L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c22.intoArray(c, r2 + 2 * L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
        c32.intoArray(c, r3 + 2 * L);
    }

    private static void tile2(int kc, float[] a, int ai, int aRow, int aStep,
                              float[] b, int bi, int bStep, float[] c0, int c0i, int ld0, float[] c, int ci, int ldc) {
        int s1 = c0i + ld0, s2 = c0i + 2 * ld0, s3 = c0i + 3 * ld0;
        FloatVector c00 = load(c0, c0i), c01 = load(c0, c0i + L);
        FloatVector c10 = load(c0, s1), c11 = load(c0, s1 + L);
        FloatVector c20 = load(c0, s2), c21 = load(c0, s2 + L);
        FloatVector c30 = load(c0, s3), c31 = load(c0, s3 + L);
        for (int p = 0; p < kc; p++, ai += aStep, bi += bStep) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + aRow]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + 2 * aRow]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + 3 * aRow]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        int r1 = ci + ldc, r2 = ci + 2 * ldc, r3 = ci + 3 * ldc;
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
    }

    private static void tile1(int kc, float[] a, int ai, int aRow, int aStep,
                              float[] b, int bi, int bStep, float[] c0, int c0i, int ld0, float[] c, int ci, int ldc) {
        FloatVector v0 = load(c0, c0i), v1 = load(c0, c0i + ld0), v2 = load(c0, c0i + 2 * ld0), v3 = load(c0, c0i + 3 * ld0);
        for (int p = 0; p < kc; p++, ai += aStep, bi += bStep) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            v0 = FloatVector.broadcast(S, a[ai]).fma(b0, v0);
            v1 = FloatVector.broadcast(S, a[ai + aRow]).fma(b0, v1);
            v2 = FloatVector.broadcast(S, a[ai + 2 * aRow]).fma(b0, v2);
            v3 = FloatVector.broadcast(S, a[ai + 3 * aRow]).fma(b0, v3);
        }
        v0.intoArray(c, ci);
        v1.intoArray(c, ci + ldc);
        v2.intoArray(c, ci + 2 * ldc);
        v3.intoArray(c, ci + 3 * ldc);
    }

    private static FloatVector load(float[] c, int at) {
        return FloatVector.fromArray(S, c, at);
    }

    /** The same tile with scalar fma in the same order (for JVMs that do not compile the Vector API). */
    private static void scalar(int cols, int kc, float[] a, int ai, int aRow, int aStep,
                               float[] b, int bi, int bStep, float[] c0, int c0i, int ld0, float[] c, int ci, int ldc) {
        for (int r = 0; r < MR; r++) {
            for (int j = 0; j < cols; j++) {
                float acc = c0[c0i + r * ld0 + j];
                for (int p = 0; p < kc; p++) {
                    acc = Math.fma(a[ai + r * aRow + p * aStep], b[bi + p * bStep + j], acc);
                }
                c[ci + r * ldc + j] = acc;
            }
        }
    }

    /**
     * An edge tile (rows < MR, or cols short of the tile's vectors) runs in an MR × NR buffer: this
     * fills it with C's rows × cols corner (or zeros), and {@link #storeEdge} puts the corner back.
     */
    static void loadEdge(float[] c, int ci, int ldc, int rows, int cols, boolean add, float[] tile) {
        Arrays.fill(tile, 0f);
        if (!add) {
            return;
        }
        for (int r = 0; r < rows; r++) {
            int t = r * NR, at = ci + r * ldc, j = 0;
            if (Simd.ENABLED) {
                for (; j < cols; j += L) {
                    FloatVector.fromArray(S, c, at + j, S.indexInRange(j, cols)).intoArray(tile, t + j);
                }
            }
            for (; j < cols; j++) {
                tile[t + j] = c[at + j];
            }
        }
    }

    static void storeEdge(float[] tile, float[] c, int ci, int ldc, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int t = r * NR, at = ci + r * ldc, j = 0;
            if (Simd.ENABLED) {
                for (; j < cols; j += L) {
                    FloatVector.fromArray(S, tile, t + j).intoArray(c, at + j, S.indexInRange(j, cols));
                }
            }
            for (; j < cols; j++) {
                c[at + j] = tile[t + j];
            }
        }
    }
}
