package dev.kora4j.backend.cpu;

import dev.kora4j.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Self-attention per (image, head), straight from the qkv layout: the N×N score tile of one head
 * is the only intermediate (it is the softmax output kept for backward), q, k and v are read in
 * place as strided matrices, and the output and the gradients land in their final layouts. One task
 * per (image, head); each product inside runs on that task's thread, so results do not depend on
 * the thread count.
 */
final class AttentionKernels {
    private static final VectorSpecies<Float> S = Simd.F32;

    private AttentionKernels() {}

    static void forward(Tensor qkv, int heads, double scale, Tensor out, Tensor probs) {
        int b = qkv.size(0), n = qkv.size(1), d = qkv.size(2) / 3, hd = d / heads;
        float[] x = qkv.floats(), o = out.floats(), p = probs.floats();
        int x0 = qkv.offset(), o0 = out.offset(), p0 = probs.offset();
        float sc = (float) scale;
        Parallel.forEach(b * heads, task -> {
            int img = task / heads, h = task % heads;
            int q = x0 + img * n * 3 * d + h * hd, k = q + d, v = q + 2 * d;
            int pAt = p0 + task * n * n;
            // S = q·kᵀ (k read transposed in place), then softmax(scale·S) row by row
            Gemm.multiplySerial(n, n, hd, new Gemm.Matrix(x, q, 3 * d, 1), new Gemm.Matrix(x, k, 1, 3 * d), p, pAt, n, false);
            for (int i = 0; i < n; i++) {
                scaledSoftmaxRow(p, pAt + i * n, n, sc);
            }
            // out[:, head h] = P·v
            Gemm.multiplySerial(n, hd, n, new Gemm.Matrix(p, pAt, n, 1), new Gemm.Matrix(x, v, 3 * d, 1),
                    o, o0 + img * n * d + h * hd, d, false);
        });
    }

    static void backward(Tensor qkv, Tensor probs, Tensor gOut, int heads, double scale, Tensor dqkv) {
        int b = qkv.size(0), n = qkv.size(1), d = qkv.size(2) / 3, hd = d / heads;
        float[] x = qkv.floats(), p = probs.floats(), g = gOut.floats(), dx = dqkv.floats();
        int x0 = qkv.offset(), p0 = probs.offset(), g0 = gOut.offset(), dx0 = dqkv.offset();
        float sc = (float) scale;
        Parallel.forEach(b * heads, task -> {
            int img = task / heads, h = task % heads;
            int rowBase = img * n * 3 * d + h * hd;
            int q = x0 + rowBase, k = q + d, v = q + 2 * d;
            int dq = dx0 + rowBase, dk = dq + d, dv = dq + 2 * d;
            int pAt = p0 + task * n * n, gAt = g0 + img * n * d + h * hd;
            float[] ds = Gemm.Scratch.get().scores(n * n);
            // dP = dO·vᵀ, then dS = P ⊙ (dP − Σ_j dP·P) · scale, row by row
            Gemm.multiplySerial(n, n, hd, new Gemm.Matrix(g, gAt, d, 1), new Gemm.Matrix(x, v, 1, 3 * d), ds, 0, n, false);
            for (int i = 0; i < n; i++) {
                float dot = SoftmaxKernels.dotRow(ds, i * n, p, pAt + i * n, n);
                softmaxGradRow(ds, i * n, p, pAt + i * n, n, dot, sc);
            }
            Gemm.multiplySerial(n, hd, n, new Gemm.Matrix(ds, 0, n, 1), new Gemm.Matrix(x, k, 3 * d, 1), dx, dq, 3 * d, false);
            Gemm.multiplySerial(n, hd, n, new Gemm.Matrix(ds, 0, 1, n), new Gemm.Matrix(x, q, 3 * d, 1), dx, dk, 3 * d, false);
            Gemm.multiplySerial(n, hd, n, new Gemm.Matrix(p, pAt, 1, n), new Gemm.Matrix(g, gAt, d, 1), dx, dv, 3 * d, false);
        });
    }

    /**
     * a ← softmax(scale·a) over one row: the max (scale·max is the max of the scaled row, as
     * scale > 0), exp(scale·a − max), the sum, the division. The exponents are ≤ 0, which lets exp
     * skip its clamps ({@link FastMath#expFlushed}). A loop that also summed the exps and took the
     * row's end as a masked vector ran slower: the JIT boxed its vectors (288 bytes a row).
     */
    private static void scaledSoftmaxRow(float[] a, int at, int n, float scale) {
        float negMax = -SoftmaxKernels.rowMax(a, at, n) * scale;
        int i = 0;
        for (int bound = Simd.loopBound(n); i < bound; i += S.length()) {
            FastMath.expFlushed(FloatVector.fromArray(S, a, at + i).fma(scale, negMax)).intoArray(a, at + i);
        }
        for (; i < n; i++) {
            a[at + i] = FastMath.expFlushed(Math.fma(a[at + i], scale, negMax));
        }
        float inv = 1f / Reduce.sumRow(a, at, n);
        i = 0;
        for (int bound = Simd.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, a, at + i).mul(inv).intoArray(a, at + i);
        }
        for (; i < n; i++) {
            a[at + i] *= inv;
        }
    }

    /** ds ← p·(ds − dot)·scale over one row. */
    private static void softmaxGradRow(float[] ds, int di, float[] p, int pi, int n, float dot, float scale) {
        int i = 0;
        for (int bound = Simd.loopBound(n); i < bound; i += S.length()) {
            FloatVector dv = FloatVector.fromArray(S, ds, di + i);
            dv.sub(dot).mul(FloatVector.fromArray(S, p, pi + i)).mul(scale).intoArray(ds, di + i);
        }
        for (; i < n; i++) {
            ds[di + i] = (ds[di + i] - dot) * p[pi + i] * scale;
        }
    }
}
