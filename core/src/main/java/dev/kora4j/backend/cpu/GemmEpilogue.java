package dev.kora4j.backend.cpu;

import dev.kora4j.backend.UnaryOp;
import jdk.incubator.vector.FloatVector;

/**
 * What {@link Gemm} does to C after its last k-block: C += u·v (a rank-r update) on each register
 * tile, then ({@link #finish}) along a task's rows once its last panel is done: unscaled = C when kept,
 * C = scale ⊙ C per column, C += bias, then out = GELU(C) when gelu (C keeps the pre-activation),
 * then out += residual (out is C itself without gelu). Each element goes through the same steps in
 * the same order however the tiles are cut, so the result does not depend on the thread count. u is
 * [M, r], v [r, N]; out, unscaled and residual share C's row stride.
 */
final class GemmEpilogue {
    final Gemm.Matrix u;
    final Gemm.Matrix v;
    final int rank;
    private final float[] scale;
    private final int scaleAt;
    private final float[] unscaled;
    private final int unscaledAt;
    private final float[] bias;
    private final int biasAt;
    private final boolean gelu;
    private final float[] out;
    private final int outAt;
    private final float[] residual;
    private final int residualAt;

    /**
     * @param u, v     the rank-r update (both null for none)
     * @param scale    one factor per column, applied before the bias (null: none)
     * @param unscaled where the product goes before the scale (null: not kept)
     * @param out      where GELU's output goes (null: no GELU)
     * @param residual added last (null: none)
     */
    GemmEpilogue(Gemm.Matrix u, Gemm.Matrix v, int rank, float[] scale, int scaleAt, float[] unscaled, int unscaledAt,
                 float[] bias, int biasAt, float[] out, int outAt, float[] residual, int residualAt) {
        this.u = u;
        this.v = v;
        this.rank = u == null ? 0 : rank;
        this.scale = scale;
        this.scaleAt = scaleAt;
        this.unscaled = unscaled;
        this.unscaledAt = unscaledAt;
        this.bias = bias;
        this.biasAt = biasAt;
        this.gelu = out != null;
        this.out = out;
        this.outAt = outAt;
        this.residual = residual;
        this.residualAt = residualAt;
    }

    /** What this epilogue does, in its order, for {@link GemmProfile}: ", rank 8, bias, gelu". */
    String describe() {
        return (rank > 0 ? ", rank " + rank : "") + (unscaled != null ? ", unscaled kept" : "") + (scale != null ? ", scale" : "")
                + (bias != null ? ", bias" : "") + (gelu ? ", gelu" : "") + (residual != null ? ", residual" : "");
    }

    boolean hasLowRank() {
        return rank > 0;
    }

    /**
     * Scale, bias, GELU and residual for C's rows i..i+rows, columns j..j+cols (at c[cAt], row stride
     * ldc), after the rank-r update. Each step is its own small loop so the JIT keeps its vectors in registers.
     */
    void finish(float[] c, int cAt, int ldc, int i, int j, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int at = cAt + r * ldc, element = (i + r) * ldc + j;
            if (unscaled != null) {
                System.arraycopy(c, at, unscaled, unscaledAt + element, cols);
            }
            if (scale != null) {
                mulRow(c, at, scale, scaleAt + j, c, at, cols);
            }
            if (bias != null) {
                addRow(c, at, bias, biasAt + j, c, at, cols);
            }
            float[] dst = c;
            int dstAt = at;
            if (gelu) {
                dst = out;
                dstAt = outAt + element;
                int done = UnaryLoops.map(UnaryOp.GELU, 0f, c, at, dst, dstAt, cols);
                for (int x = done; x < cols; x++) {
                    dst[dstAt + x] = FastMath.gelu(c[at + x]);
                }
            }
            if (residual != null) {
                addRow(dst, dstAt, residual, residualAt + element, dst, dstAt, cols);
            }
        }
    }

    /** z = x · y over n elements. */
    private static void mulRow(float[] x, int xi, float[] y, int yi, float[] z, int zi, int n) {
        int bound = Simd.loopBound(n), e = 0;
        for (; e < bound; e += Simd.F32.length()) {
            FloatVector.fromArray(Simd.F32, x, xi + e).mul(FloatVector.fromArray(Simd.F32, y, yi + e)).intoArray(z, zi + e);
        }
        for (; e < n; e++) {
            z[zi + e] = x[xi + e] * y[yi + e];
        }
    }

    /** z = x + y over n elements. */
    private static void addRow(float[] x, int xi, float[] y, int yi, float[] z, int zi, int n) {
        int bound = Simd.loopBound(n), e = 0;
        for (; e < bound; e += Simd.F32.length()) {
            FloatVector.fromArray(Simd.F32, x, xi + e).add(FloatVector.fromArray(Simd.F32, y, yi + e)).intoArray(z, zi + e);
        }
        for (; e < n; e++) {
            z[zi + e] = x[xi + e] + y[yi + e];
        }
    }
}
