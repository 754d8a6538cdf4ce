package dev.kora4j.backend.cpu;

import static dev.kora4j.backend.cpu.Gemm.MR;
import static dev.kora4j.backend.cpu.Gemm.NR;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The register tiles of {@link Gemm}: MR = 4 rows of C by 1 to 4 vectors, accumulated over kc
 * steps as A's values are broadcast against a row of B, then stored. {@link #tile} starts its
 * accumulators from zero (a product's first k-block), {@link #tileAdd} from C (every later block,
 * and C += A·B): each element of C is then one fma chain over k in order, however k is cut into
 * blocks, which is what lets the blocking be tuned per machine without changing a bit. A's row r at
 * step p is a[ai + r·aRow + p·aStep] (a packed panel: aRow 1, aStep MR; A read in place: its
 * strides), and B's columns at step p start at b[bi + p·bStep]. Each width is its own method: a
 * narrow edge panel (17 of 65 columns, 16 of 64) should not pay for three vectors, and C2 keeps
 * vectors in registers only while a method stays within its inlining node budget (a few dozen vector
 * ops; past it, allocation per tile). Edge tiles go through a buffer tile ({@link #gather}, {@link #flush}).
 */
final class GemmKernels {
    private static final VectorSpecies<Float> S = Simd.F32;
    private static final int L = S.length();

    private GemmKernels() {}

    /** C[0..MR, 0..nv·L) = A·B over kc steps, nv = 1 to 4 vectors. */
    static void tile(int nv, int kc, float[] a, int ai, int aRow, int aStep,
                     float[] b, int bi, int bStep, float[] c, int ci, int ldc) {
        if (!Simd.ENABLED) {
            scalar(nv * L, kc, a, ai, aRow, aStep, b, bi, bStep, c, ci, ldc);
        } else if (nv == 4) {
            tile4(kc, a, ai, aRow, aStep, b, bi, bStep, c, ci, ldc);
        } else if (nv == 3) {
            tile3(kc, a, ai, aRow, aStep, b, bi, bStep, c, ci, ldc);
        } else if (nv == 2) {
            tile2(kc, a, ai, aRow, aStep, b, bi, bStep, c, ci, ldc);
        } else {
            tile1(kc, a, ai, aRow, aStep, b, bi, bStep, c, ci, ldc);
        }
    }

    private static void tile4(int kc, float[] a, int ai, int aRow, int aStep,
                              float[] b, int bi, int bStep, float[] c, int ci, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
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
        int r1 = ci + ldc, r2 = ci + 2 * ldc, r3 = ci + 3 * ldc;
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

    /** C[0..MR, 0..4L) += A·B, the accumulators starting from C. */
    private static void tile4Add(int kc, float[] a, int ai, int aRow, int aStep,
                         float[] b, int bi, int bStep, float[] c, int ci, int ldc) {
        int r1 = ci + ldc, r2 = ci + 2 * ldc, r3 = ci + 3 * ldc;
        FloatVector c00 = load(c, ci), c01 = load(c, ci + L), c02 = load(c, ci + 2 * L), c03 = load(c, ci + 3 * L);
        FloatVector c10 = load(c, r1), c11 = load(c, r1 + L), c12 = load(c, r1 + 2 * L), c13 = load(c, r1 + 3 * L);
        FloatVector c20 = load(c, r2), c21 = load(c, r2 + L), c22 = load(c, r2 + 2 * L), c23 = load(c, r2 + 3 * L);
        FloatVector c30 = load(c, r3), c31 = load(c, r3 + L), c32 = load(c, r3 + 2 * L), c33 = load(c, r3 + 3 * L);
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

    private static void tile3(int kc, float[] a, int ai, int aRow, int aStep,
                              float[] b, int bi, int bStep, float[] c, int ci, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00;
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

    /** C[0..MR, 0..nv·L) += A·B over kc steps, the accumulators starting from C, nv = 1 to 4 vectors. */
    static void tileAdd(int nv, int kc, float[] a, int ai, int aRow, int aStep,
                        float[] b, int bi, int bStep, float[] c, int ci, int ldc) {
        if (!Simd.ENABLED) {
            scalarAdd(nv * L, kc, a, ai, aRow, aStep, b, bi, bStep, c, ci, ldc);
        } else if (nv == 4) {
            tile4Add(kc, a, ai, aRow, aStep, b, bi, bStep, c, ci, ldc);
        } else if (nv == 3) {
            tile3Add(kc, a, ai, aRow, aStep, b, bi, bStep, c, ci, ldc);
        } else if (nv == 2) {
            tile2Add(kc, a, ai, aRow, aStep, b, bi, bStep, c, ci, ldc);
        } else {
            tile1Add(kc, a, ai, aRow, aStep, b, bi, bStep, c, ci, ldc);
        }
    }

    /**
     * C[0..MR, 0..3L) += A·B, the accumulators starting from C (adding a short product, LoRA's k = 8
     * update, through the buffer tile cost nearly half the time).
     */
    private static void tile3Add(int kc, float[] a, int ai, int aRow, int aStep,
                         float[] b, int bi, int bStep, float[] c, int ci, int ldc) {
        int r1 = ci + ldc, r2 = ci + 2 * ldc, r3 = ci + 3 * ldc;
        FloatVector c00 = load(c, ci), c01 = load(c, ci + L), c02 = load(c, ci + 2 * L);
        FloatVector c10 = load(c, r1), c11 = load(c, r1 + L), c12 = load(c, r1 + 2 * L);
        FloatVector c20 = load(c, r2), c21 = load(c, r2 + L), c22 = load(c, r2 + 2 * L);
        FloatVector c30 = load(c, r3), c31 = load(c, r3 + L), c32 = load(c, r3 + 2 * L);
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

    private static FloatVector load(float[] c, int at) {
        return FloatVector.fromArray(S, c, at);
    }

    private static void tile2(int kc, float[] a, int ai, int aRow, int aStep,
                              float[] b, int bi, int bStep, float[] c, int ci, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00;
        FloatVector c10 = c00, c11 = c00;
        FloatVector c20 = c00, c21 = c00;
        FloatVector c30 = c00, c31 = c00;
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

    private static void tile2Add(int kc, float[] a, int ai, int aRow, int aStep,
                                 float[] b, int bi, int bStep, float[] c, int ci, int ldc) {
        int r1 = ci + ldc, r2 = ci + 2 * ldc, r3 = ci + 3 * ldc;
        FloatVector c00 = load(c, ci), c01 = load(c, ci + L);
        FloatVector c10 = load(c, r1), c11 = load(c, r1 + L);
        FloatVector c20 = load(c, r2), c21 = load(c, r2 + L);
        FloatVector c30 = load(c, r3), c31 = load(c, r3 + L);
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
                              float[] b, int bi, int bStep, float[] c, int ci, int ldc) {
        FloatVector v0 = FloatVector.zero(S), v1 = v0, v2 = v0, v3 = v0;
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

    private static void tile1Add(int kc, float[] a, int ai, int aRow, int aStep,
                                 float[] b, int bi, int bStep, float[] c, int ci, int ldc) {
        FloatVector v0 = load(c, ci), v1 = load(c, ci + ldc), v2 = load(c, ci + 2 * ldc), v3 = load(c, ci + 3 * ldc);
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

    /** The same tiles with scalar fma in the same order (for JVMs that do not compile the Vector API). */
    private static void scalar(int cols, int kc, float[] a, int ai, int aRow, int aStep,
                               float[] b, int bi, int bStep, float[] c, int ci, int ldc) {
        for (int r = 0; r < MR; r++) {
            Arrays.fill(c, ci + r * ldc, ci + r * ldc + cols, 0f);
        }
        scalarAdd(cols, kc, a, ai, aRow, aStep, b, bi, bStep, c, ci, ldc);
    }

    private static void scalarAdd(int cols, int kc, float[] a, int ai, int aRow, int aStep,
                                  float[] b, int bi, int bStep, float[] c, int ci, int ldc) {
        for (int r = 0; r < MR; r++) {
            for (int j = 0; j < cols; j++) {
                float acc = c[ci + r * ldc + j];
                for (int p = 0; p < kc; p++) {
                    acc = Math.fma(a[ai + r * aRow + p * aStep], b[bi + p * bStep + j], acc);
                }
                c[ci + r * ldc + j] = acc;
            }
        }
    }

    /** Copies the rows × cols corner of C into an MR × NR tile, for an edge tile that adds to C. */
    static void gather(float[] c, int ci, int ldc, int rows, int cols, float[] tile) {
        for (int r = 0; r < rows; r++) {
            System.arraycopy(c, ci + r * ldc, tile, r * NR, cols);
        }
    }

    /** Stores the rows × cols corner of an MR × NR tile into C: the way out for tiles at an edge (masked stores). */
    static void flush(float[] tile, float[] c, int ci, int ldc, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int t = r * NR, at = ci + r * ldc, j = 0;
            if (Simd.ENABLED) {
                for (; j + L <= cols; j += L) {
                    FloatVector.fromArray(S, tile, t + j).intoArray(c, at + j);
                }
                if (j < cols) {
                    VectorMask<Float> m = S.indexInRange(j, cols);
                    FloatVector.fromArray(S, tile, t + j).intoArray(c, at + j, m);
                    j = cols;
                }
            }
            for (; j < cols; j++) {
                c[at + j] = tile[t + j];
            }
        }
    }
}
