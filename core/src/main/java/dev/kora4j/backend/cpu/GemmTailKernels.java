package dev.kora4j.backend.cpu;

import static dev.kora4j.backend.cpu.Gemm.MR;
import static dev.kora4j.backend.cpu.GemmKernels.start;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register tiles of a product's last k-block when an epilogue has terms for them
 * ({@link GemmEpilogue}: a linear's rank-r update u·v and its bias): {@link GemmKernels}' tiles that go
 * on for a tail of more steps from a second pair of operands, u packed like A and v like B, before C
 * is stored once. Done as a k-block of their own, the tail's terms loaded and stored C again, and the
 * bias took one more pass over C: together 4–13% of a LoRA linear on a Zen 4. Each element of C stays
 * one fma chain: k's terms in order, then the tail's. These are not {@link GemmKernels}' tiles with an
 * empty tail: with the second loop in them, C2 compiled the products without an epilogue differently
 * (a dW = gᵀ·x under AVX2 ran 0.67 times as fast).
 */
final class GemmTailKernels {
    private static final VectorSpecies<Float> S = Simd.F32;
    private static final int L = S.length();

    private GemmTailKernels() {}

    /**
     * C[0..MR, 0..nv·L) = (C when fromC, else 0) + A·B over kc steps + u·v over tail steps, nv = 1 to
     * 4 vectors: A and B as in {@link GemmKernels#tile}, u packed like A (row r at step p:
     * u[ui + r + p·MR]), v like B (v[vi + p·vStep]).
     */
    static void tile(int nv, boolean fromC, int kc, float[] a, int ai, int aRow, int aStep, float[] b, int bi, int bStep,
                     int tail, float[] u, int ui, float[] v, int vi, int vStep, float[] c, int ci, int ldc) {
        if (!Simd.ENABLED) {
            scalar(nv * L, fromC, kc, a, ai, aRow, aStep, b, bi, bStep, tail, u, ui, v, vi, vStep, c, ci, ldc);
        } else if (nv == 4) {
            tile4(fromC, kc, a, ai, aRow, aStep, b, bi, bStep, tail, u, ui, v, vi, vStep, c, ci, ldc);
        } else if (nv == 3) {
            tile3(fromC, kc, a, ai, aRow, aStep, b, bi, bStep, tail, u, ui, v, vi, vStep, c, ci, ldc);
        } else if (nv == 2) {
            tile2(fromC, kc, a, ai, aRow, aStep, b, bi, bStep, tail, u, ui, v, vi, vStep, c, ci, ldc);
        } else {
            tile1(fromC, kc, a, ai, aRow, aStep, b, bi, bStep, tail, u, ui, v, vi, vStep, c, ci, ldc);
        }
    }

    /*
     * Each kernel runs two segments of the same fma chains: k's kc steps from (a, b), then the tail's
     * from (u, v), the loop's update switching the operands between them.
     */

    private static void tile4(boolean fromC, int kc, float[] a, int ai, int aRow, int aStep, float[] b, int bi, int bStep,
                              int tail, float[] u, int ui, float[] v, int vi, int vStep, float[] c, int ci, int ldc) {
        int r1 = ci + ldc, r2 = ci + 2 * ldc, r3 = ci + 3 * ldc;
        FloatVector c00 = start(c, ci, fromC), c01 = start(c, ci + L, fromC), c02 = start(c, ci + 2 * L, fromC), c03 = start(c, ci + 3 * L, fromC);
        FloatVector c10 = start(c, r1, fromC), c11 = start(c, r1 + L, fromC), c12 = start(c, r1 + 2 * L, fromC), c13 = start(c, r1 + 3 * L, fromC);
        FloatVector c20 = start(c, r2, fromC), c21 = start(c, r2 + L, fromC), c22 = start(c, r2 + 2 * L, fromC), c23 = start(c, r2 + 3 * L, fromC);
        FloatVector c30 = start(c, r3, fromC), c31 = start(c, r3 + L, fromC), c32 = start(c, r3 + 2 * L, fromC), c33 = start(c, r3 + 3 * L, fromC);
        for (int segment = 0; segment < 2; segment++, kc = tail, a = u, ai = ui, aRow = 1, aStep = MR, b = v, bi = vi, bStep = vStep) {
            for (int p = 0; p < kc; p++, ai += aStep, bi += bStep) {
                FloatVector b0 = FloatVector.fromArray(S, b, bi);
                FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
                FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * L);
                FloatVector b3 = FloatVector.fromArray(S, b, bi + 3 * L);
                FloatVector x = FloatVector.broadcast(S, a[ai]);
                c00 = x.fma(b0, c00);
                c01 = x.fma(b1, c01);
                c02 = x.fma(b2, c02);
                c03 = x.fma(b3, c03);
                x = FloatVector.broadcast(S, a[ai + aRow]);
                c10 = x.fma(b0, c10);
                c11 = x.fma(b1, c11);
                c12 = x.fma(b2, c12);
                c13 = x.fma(b3, c13);
                x = FloatVector.broadcast(S, a[ai + 2 * aRow]);
                c20 = x.fma(b0, c20);
                c21 = x.fma(b1, c21);
                c22 = x.fma(b2, c22);
                c23 = x.fma(b3, c23);
                x = FloatVector.broadcast(S, a[ai + 3 * aRow]);
                c30 = x.fma(b0, c30);
                c31 = x.fma(b1, c31);
                c32 = x.fma(b2, c32);
                c33 = x.fma(b3, c33);
            }
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c02.intoArray(c, ci + 2 * L);
        c03.intoArray(c, ci + 3 * L);
        c10.intoArray(c, r1);
        c11.intoArray(c, r1 + L);
        c12.intoArray(c, r1 + 2 * L);
        c13.intoArray(c, r1 + 3 * L);
        c20.intoArray(c, r2);
        c21.intoArray(c, r2 + L);
        c22.intoArray(c, r2 + 2 * L);
        c23.intoArray(c, r2 + 3 * L);
        c30.intoArray(c, r3);
        c31.intoArray(c, r3 + L);
        c32.intoArray(c, r3 + 2 * L);
        c33.intoArray(c, r3 + 3 * L);
    }

    private static void tile3(boolean fromC, int kc, float[] a, int ai, int aRow, int aStep, float[] b, int bi, int bStep,
                              int tail, float[] u, int ui, float[] v, int vi, int vStep, float[] c, int ci, int ldc) {
        int r1 = ci + ldc, r2 = ci + 2 * ldc, r3 = ci + 3 * ldc;
        FloatVector c00 = start(c, ci, fromC), c01 = start(c, ci + L, fromC), c02 = start(c, ci + 2 * L, fromC);
        FloatVector c10 = start(c, r1, fromC), c11 = start(c, r1 + L, fromC), c12 = start(c, r1 + 2 * L, fromC);
        FloatVector c20 = start(c, r2, fromC), c21 = start(c, r2 + L, fromC), c22 = start(c, r2 + 2 * L, fromC);
        FloatVector c30 = start(c, r3, fromC), c31 = start(c, r3 + L, fromC), c32 = start(c, r3 + 2 * L, fromC);
        for (int segment = 0; segment < 2; segment++, kc = tail, a = u, ai = ui, aRow = 1, aStep = MR, b = v, bi = vi, bStep = vStep) {
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

    private static void tile2(boolean fromC, int kc, float[] a, int ai, int aRow, int aStep, float[] b, int bi, int bStep,
                              int tail, float[] u, int ui, float[] v, int vi, int vStep, float[] c, int ci, int ldc) {
        int r1 = ci + ldc, r2 = ci + 2 * ldc, r3 = ci + 3 * ldc;
        FloatVector c00 = start(c, ci, fromC), c01 = start(c, ci + L, fromC);
        FloatVector c10 = start(c, r1, fromC), c11 = start(c, r1 + L, fromC);
        FloatVector c20 = start(c, r2, fromC), c21 = start(c, r2 + L, fromC);
        FloatVector c30 = start(c, r3, fromC), c31 = start(c, r3 + L, fromC);
        for (int segment = 0; segment < 2; segment++, kc = tail, a = u, ai = ui, aRow = 1, aStep = MR, b = v, bi = vi, bStep = vStep) {
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

    private static void tile1(boolean fromC, int kc, float[] a, int ai, int aRow, int aStep, float[] b, int bi, int bStep,
                              int tail, float[] u, int ui, float[] v, int vi, int vStep, float[] c, int ci, int ldc) {
        int r1 = ci + ldc, r2 = ci + 2 * ldc, r3 = ci + 3 * ldc;
        FloatVector c00 = start(c, ci, fromC);
        FloatVector c10 = start(c, r1, fromC);
        FloatVector c20 = start(c, r2, fromC);
        FloatVector c30 = start(c, r3, fromC);
        for (int segment = 0; segment < 2; segment++, kc = tail, a = u, ai = ui, aRow = 1, aStep = MR, b = v, bi = vi, bStep = vStep) {
            for (int p = 0; p < kc; p++, ai += aStep, bi += bStep) {
                FloatVector b0 = FloatVector.fromArray(S, b, bi);
                c00 = FloatVector.broadcast(S, a[ai]).fma(b0, c00);
                c10 = FloatVector.broadcast(S, a[ai + aRow]).fma(b0, c10);
                c20 = FloatVector.broadcast(S, a[ai + 2 * aRow]).fma(b0, c20);
                c30 = FloatVector.broadcast(S, a[ai + 3 * aRow]).fma(b0, c30);
            }
        }
        c00.intoArray(c, ci);
        c10.intoArray(c, r1);
        c20.intoArray(c, r2);
        c30.intoArray(c, r3);
    }

    /** The same with scalar fma in the same order (for JVMs that do not compile the Vector API). */
    private static void scalar(int cols, boolean fromC, int kc, float[] a, int ai, int aRow, int aStep, float[] b, int bi, int bStep,
                               int tail, float[] u, int ui, float[] v, int vi, int vStep, float[] c, int ci, int ldc) {
        for (int r = 0; r < MR; r++) {
            for (int j = 0; j < cols; j++) {
                float acc = fromC ? c[ci + r * ldc + j] : 0f;
                for (int p = 0; p < kc; p++) {
                    acc = Math.fma(a[ai + r * aRow + p * aStep], b[bi + p * bStep + j], acc);
                }
                for (int p = 0; p < tail; p++) {
                    acc = Math.fma(u[ui + r + p * MR], v[vi + p * vStep + j], acc);
                }
                c[ci + r * ldc + j] = acc;
            }
        }
    }
}
