package dev.kora4j.backend.cpu;

import dev.kora4j.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Row-wise softmax, log-softmax and cross-entropy over the last dim of contiguous F32 tensors. */
final class SoftmaxKernels {
    private static final VectorSpecies<Float> S = Simd.F32;

    private SoftmaxKernels() {}

    /** Runs body on each row, rows grouped into tasks of a fixed size. */
    static void forEachRow(int rows, int cols, java.util.function.IntConsumer body) {
        int rowsPerTask = Math.max(1, Elementwise.CHUNK / Math.max(1, cols));
        Parallel.forEach((rows + rowsPerTask - 1) / rowsPerTask, task -> {
            for (int r = task * rowsPerTask, end = Math.min(rows, r + rowsPerTask); r < end; r++) {
                body.accept(r);
            }
        });
    }

    static void softmax(Tensor x, Tensor out, boolean log) {
        int cols = x.size(-1);
        int rows = x.numel() / Math.max(1, cols);
        float[] xs = x.floats(), os = out.floats();
        forEachRow(rows, cols, r -> softmaxRow(xs, x.offset() + r * cols, os, out.offset() + r * cols, cols, log));
    }

    static void softmaxRow(float[] x, int xi, float[] out, int oi, int n, boolean log) {
        float max = rowMax(x, xi, n);
        // out ← exp(x − max), then normalise (or, for log-softmax, out ← x − max − log Σ)
        int i = 0;
        for (int bound = Simd.loopBound(n); i < bound; i += S.length()) {
            FastMath.exp(FloatVector.fromArray(S, x, xi + i).sub(max)).intoArray(out, oi + i);
        }
        for (; i < n; i++) {
            out[oi + i] = FastMath.exp(x[xi + i] - max);
        }
        float sum = Reduce.sumRow(out, oi, n);
        if (log) {
            float shift = max + (float) Math.log(sum);
            i = 0;
            for (int bound = Simd.loopBound(n); i < bound; i += S.length()) {
                FloatVector.fromArray(S, x, xi + i).sub(shift).intoArray(out, oi + i);
            }
            for (; i < n; i++) {
                out[oi + i] = x[xi + i] - shift;
            }
        } else {
            float inv = 1f / sum;
            i = 0;
            for (int bound = Simd.loopBound(n); i < bound; i += S.length()) {
                FloatVector.fromArray(S, out, oi + i).mul(inv).intoArray(out, oi + i);
            }
            for (; i < n; i++) {
                out[oi + i] *= inv;
            }
        }
    }

    /**
     * The row's largest value. A NaN is passed over (its exp makes the row's sum, and so every
     * output, NaN anyway), which lets the vector loop be a compare and a blend: the Vector API's max,
     * with Math.max's rules for NaN and signed zeros, took twice as long, and this pass is a quarter
     * of attention's softmax.
     */
    static float rowMax(float[] x, int at, int n) {
        float max = Float.NEGATIVE_INFINITY;
        int i = 0;
        int bound = Simd.loopBound(n);
        if (bound > 0) {
            FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (; i < bound; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, x, at + i);
                m = m.blend(v, v.compare(VectorOperators.GT, m));
            }
            max = m.reduceLanes(VectorOperators.MAX); // exact: any order gives the same value
        }
        for (; i < n; i++) {
            max = x[at + i] > max ? x[at + i] : max;
        }
        return max;
    }

    static void softmaxBackward(Tensor y, Tensor gy, Tensor dx, boolean log) {
        int cols = y.size(-1);
        int rows = y.numel() / Math.max(1, cols);
        float[] ys = y.floats(), gs = gy.floats(), ds = dx.floats();
        forEachRow(rows, cols, r -> {
            int yi = y.offset() + r * cols, gi = gy.offset() + r * cols, di = dx.offset() + r * cols;
            // softmax: dx = y·(g − Σ g·y); log-softmax: dx = g − exp(y)·Σ g
            float dot = log ? Reduce.sumRow(gs, gi, cols) : dotRow(gs, gi, ys, yi, cols);
            int i = 0;
            for (int bound = Simd.loopBound(cols); i < bound; i += S.length()) {
                FloatVector yv = FloatVector.fromArray(S, ys, yi + i), gv = FloatVector.fromArray(S, gs, gi + i);
                FloatVector d = log ? FastMath.exp(yv).mul(-dot).add(gv) : gv.sub(dot).mul(yv);
                d.intoArray(ds, di + i);
            }
            for (; i < cols; i++) {
                ds[di + i] = log ? FastMath.exp(ys[yi + i]) * -dot + gs[gi + i] : (gs[gi + i] - dot) * ys[yi + i];
            }
        });
    }

    /** Σ a·b over n contiguous floats, lanes added in a fixed order. */
    static float dotRow(float[] a, int ai, float[] b, int bi, int n) {
        int i = 0;
        float total = 0;
        int bound = Simd.loopBound(n);
        if (bound > 0) {
            FloatVector acc = FloatVector.zero(S);
            for (; i < bound; i += S.length()) {
                acc = FloatVector.fromArray(S, a, ai + i).fma(FloatVector.fromArray(S, b, bi + i), acc);
            }
            total = Reduce.lanesInOrder(acc);
        }
        for (; i < n; i++) {
            total = Math.fma(a[ai + i], b[bi + i], total);
        }
        return total;
    }

    /** Per row: probs = softmax(logits), loss = −Σ target·log p with target (1−ε)·onehot + ε/C. */
    static void crossEntropy(Tensor logits, int[] labels, double smoothing, Tensor rowLoss, Tensor probs) {
        int c = logits.size(-1);
        float[] xs = logits.floats(), ps = probs.floats(), ls = rowLoss.floats();
        forEachRow(labels.length, c, r -> {
            int xi = logits.offset() + r * c, pi = probs.offset() + r * c;
            softmaxRow(xs, xi, ps, pi, c, false);
            float max = rowMax(xs, xi, c);
            double logSum = Math.log(sumExpShifted(xs, xi, c, max));
            double sumLogP = 0;
            for (int j = 0; j < c; j++) {
                sumLogP += xs[xi + j] - max - logSum;
            }
            double logPLabel = xs[xi + labels[r]] - max - logSum;
            ls[rowLoss.offset() + r] = (float) (-(1 - smoothing) * logPLabel - smoothing / c * sumLogP);
        });
    }

    private static float sumExpShifted(float[] x, int at, int n, float max) {
        float s = 0;
        for (int j = 0; j < n; j++) {
            s += FastMath.exp(x[at + j] - max);
        }
        return s;
    }

    static void crossEntropyBackward(Tensor probs, int[] labels, double smoothing, double scale, Tensor dlogits) {
        int c = probs.size(-1);
        float[] ps = probs.floats(), ds = dlogits.floats();
        float off = (float) (smoothing / c);
        float on = (float) (1 - smoothing) + off;
        float sc = (float) scale;
        forEachRow(labels.length, c, r -> {
            int pi = probs.offset() + r * c, di = dlogits.offset() + r * c;
            for (int j = 0; j < c; j++) {
                ds[di + j] = sc * (ps[pi + j] - (j == labels[r] ? on : off));
            }
        });
    }
}
