package dev.kora4j.backend.cpu;

import static dev.kora4j.backend.cpu.Gemm.MR;
import static dev.kora4j.backend.cpu.Gemm.NR;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register tiles of {@link Gemm}: MR = 4 rows of C by 1, 2 or 3 vectors, accumulated over kc steps
 * as A's values are broadcast against a row of B. A's row r at step p is a[a_r + p·aStep] (a packed
 * panel: a_r = base + r, aStep = MR; row-major A read in place: a_r = start of row r, aStep = 1), and
 * B's columns at step p start at b[bi + p·bStep]. A tile starts from C's values and adds one product
 * per step, so every C element sums its terms in k order whatever the tiling or the width. Each width
 * is its own method: a narrow edge panel (17 of 65 columns, 16 of 64) should not pay for three vectors,
 * and C2 keeps vectors in registers only when the tile is spelled out and small: past its inlining
 * node budget (a few dozen vector ops per method) it boxes them, so the tiles have no branches.
 */
final class GemmKernels {
    private static final VectorSpecies<Float> S = Simd.F32;
    private static final int L = S.length();

    private GemmKernels() {}

    /** C[0..MR, 0..nv·L) += A·B over kc steps, nv = 1, 2 or 3 vectors. */
    static void tile(int nv, int kc, float[] a, int a0, int a1, int a2, int a3, int aStep,
                     float[] b, int bi, int bStep, float[] c, int ci, int ldc) {
        if (!Simd.ENABLED) {
            scalar(nv * L, kc, a, a0, a1, a2, a3, aStep, b, bi, bStep, c, ci, ldc);
        } else if (nv == 3) {
            tile3(kc, a, a0, a1, a2, a3, aStep, b, bi, bStep, c, ci, ldc);
        } else if (nv == 2) {
            tile2(kc, a, a0, a1, a2, a3, aStep, b, bi, bStep, c, ci, ldc);
        } else {
            tile1(kc, a, a0, a1, a2, a3, aStep, b, bi, bStep, c, ci, ldc);
        }
    }

    private static void tile3(int kc, float[] a, int a0, int a1, int a2, int a3, int aStep,
                              float[] b, int bi, int bStep, float[] c, int ci, int ldc) {
        int r1 = ci + ldc, r2 = ci + 2 * ldc, r3 = ci + 3 * ldc;
        FloatVector c00 = load(c, ci), c01 = load(c, ci + L), c02 = load(c, ci + 2 * L);
        FloatVector c10 = load(c, r1), c11 = load(c, r1 + L), c12 = load(c, r1 + 2 * L);
        FloatVector c20 = load(c, r2), c21 = load(c, r2 + L), c22 = load(c, r2 + 2 * L);
        FloatVector c30 = load(c, r3), c31 = load(c, r3 + L), c32 = load(c, r3 + 2 * L);
        for (int p = 0, ap = 0; p < kc; p++, ap += aStep, bi += bStep) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(S, a[a1 + ap]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(S, a[a2 + ap]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            x = FloatVector.broadcast(S, a[a3 + ap]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
        }
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

    private static void tile2(int kc, float[] a, int a0, int a1, int a2, int a3, int aStep,
                              float[] b, int bi, int bStep, float[] c, int ci, int ldc) {
        int r1 = ci + ldc, r2 = ci + 2 * ldc, r3 = ci + 3 * ldc;
        FloatVector c00 = load(c, ci), c01 = load(c, ci + L);
        FloatVector c10 = load(c, r1), c11 = load(c, r1 + L);
        FloatVector c20 = load(c, r2), c21 = load(c, r2 + L);
        FloatVector c30 = load(c, r3), c31 = load(c, r3 + L);
        for (int p = 0, ap = 0; p < kc; p++, ap += aStep, bi += bStep) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + ap]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + ap]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + ap]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
    }

    private static void tile1(int kc, float[] a, int a0, int a1, int a2, int a3, int aStep,
                              float[] b, int bi, int bStep, float[] c, int ci, int ldc) {
        int r1 = ci + ldc, r2 = ci + 2 * ldc, r3 = ci + 3 * ldc;
        FloatVector c0 = load(c, ci), c1 = load(c, r1), c2 = load(c, r2), c3 = load(c, r3);
        for (int p = 0, ap = 0; p < kc; p++, ap += aStep, bi += bStep) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            c0 = FloatVector.broadcast(S, a[a0 + ap]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, a[a1 + ap]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, a[a2 + ap]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, a[a3 + ap]).fma(b0, c3);
        }
        c0.intoArray(c, ci);
        c1.intoArray(c, r1);
        c2.intoArray(c, r2);
        c3.intoArray(c, r3);
    }

    private static FloatVector load(float[] c, int at) {
        return FloatVector.fromArray(S, c, at);
    }

    /** The same tile with scalar fma in the same order (for JVMs that do not compile the Vector API). */
    private static void scalar(int cols, int kc, float[] a, int a0, int a1, int a2, int a3, int aStep,
                               float[] b, int bi, int bStep, float[] c, int ci, int ldc) {
        for (int r = 0; r < MR; r++) {
            int ar = r == 0 ? a0 : r == 1 ? a1 : r == 2 ? a2 : a3;
            for (int j = 0; j < cols; j++) {
                int at = ci + r * ldc + j;
                float acc = c[at];
                for (int p = 0; p < kc; p++) {
                    acc = Math.fma(a[ar + p * aStep], b[bi + p * bStep + j], acc);
                }
                c[at] = acc;
            }
        }
    }

    /** Zeroes C's MR × cols tile (the first k-block of C = A·B starts from zero). */
    static void zero(float[] c, int ci, int ldc, int cols) {
        for (int r = 0; r < MR; r++) {
            Arrays.fill(c, ci + r * ldc, ci + r * ldc + cols, 0f);
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
