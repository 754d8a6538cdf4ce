package dev.kora4j.backend;

import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;
import java.util.Arrays;

/**
 * What a linear layer does to its product before storing it, so that a backend can do it while
 * each tile of the output is still in cache instead of in passes of its own:
 *
 * <pre>
 *   p   = a·b + u·v               (u [M, r], v [r, N]: a low-rank update such as LoRA's s·(x·Aᵀ)·Bᵀ)
 *   unscaled = p                  (kept when asked: DoRA's backward reads it)
 *   pre = scale ⊙ p + bias        (scale [N], one factor per output column: DoRA's m / ‖W + s·B·A‖)
 *   out = act(pre) + residual     (act: GELU or none)
 * </pre>
 *
 * Every part may be absent (null, or false for gelu). With gelu, {@code pre} receives the value
 * before the activation (GELU's backward reads it), or is {@code out} itself when nothing will read
 * it (GELU in place); without, pre is null. u and v may be views;
 * bias [N], scale [N], residual [M, N], pre [M, N] and unscaled [M, N] are contiguous.
 */
public record LinearEpilogue(Tensor u, Tensor v, Tensor scale, Tensor unscaled, Tensor bias, boolean gelu, Tensor pre, Tensor residual) {
    public static final LinearEpilogue NONE = new LinearEpilogue(null, null, null, null, null, false, null, null);

    public LinearEpilogue {
        if ((u == null) != (v == null)) {
            throw new IllegalArgumentException("linear epilogue: a low-rank update needs both u and v");
        }
        if (gelu != (pre != null)) {
            throw new IllegalArgumentException("linear epilogue: GELU needs a tensor for the pre-activation, and only GELU does");
        }
        for (Tensor t : new Tensor[] {scale, unscaled, bias, pre, residual}) {
            if (t != null && !t.isContiguous()) {
                throw new IllegalArgumentException("linear epilogue: scale, unscaled, bias, pre and residual must be contiguous");
            }
        }
    }

    public static LinearEpilogue bias(Tensor bias) {
        return new LinearEpilogue(null, null, null, null, bias, false, null, null);
    }

    public LinearEpilogue withLowRank(Tensor u, Tensor v) {
        return new LinearEpilogue(u, v, scale, unscaled, bias, gelu, pre, residual);
    }

    /** Each column scaled before the bias; {@code unscaled} (or null) receives the product before it. */
    public LinearEpilogue withScale(Tensor scale, Tensor unscaled) {
        return new LinearEpilogue(u, v, scale, unscaled, bias, gelu, pre, residual);
    }

    public LinearEpilogue withGelu(Tensor pre) {
        return new LinearEpilogue(u, v, scale, unscaled, bias, true, pre, residual);
    }

    public LinearEpilogue withResidual(Tensor residual) {
        return new LinearEpilogue(u, v, scale, unscaled, bias, gelu, pre, residual);
    }

    /** Checks the product a [M, K]·b [K, N] → out [M, N] (contiguous) and the parts against it. */
    public void check(Tensor a, Tensor b, Tensor out) {
        if (a.rank() != 2 || b.rank() != 2 || out.rank() != 2 || a.size(1) != b.size(0)
                || a.size(0) != out.size(0) || b.size(1) != out.size(1) || !out.isContiguous()) {
            throw Shape.mismatch("linear", a.shape(), b.shape(), "do not give the contiguous output " + Shape.format(out.shape()));
        }
        int m = out.size(0), n = out.size(1);
        if (u != null && (u.rank() != 2 || v.rank() != 2 || u.size(0) != m || v.size(1) != n || u.size(1) != v.size(0))) {
            throw Shape.mismatch("linear epilogue", u.shape(), v.shape(), "do not form a low-rank update of " + m + " × " + n);
        }
        for (Tensor t : new Tensor[] {bias, scale}) {
            if (t != null && (t.rank() != 1 || t.size(0) != n)) {
                throw Shape.mismatch("linear epilogue", t.shape(), out.shape(), "do not match (bias and scale [N], out [M, N])");
            }
        }
        for (Tensor t : new Tensor[] {unscaled, pre, residual}) {
            if (t != null && !Arrays.equals(t.shape(), out.shape())) {
                throw Shape.mismatch("linear epilogue", t.shape(), out.shape(), "differ: unscaled, pre and residual have the output's shape");
            }
        }
    }

    /** The same as separate steps, from the backend's own products and element-wise ops. */
    void runUnfused(Backend backend, Tensor a, Tensor b, Tensor out) {
        Tensor y = gelu ? pre : out;
        backend.matmul(a, b, y, false);
        if (u != null) {
            backend.matmul(u, v, y, true);
        }
        if (unscaled != null) {
            backend.copy(y, unscaled);
        }
        if (scale != null) {
            backend.zip(BinaryOp.MUL, y, rows(scale, y), y);
        }
        if (bias != null) {
            backend.zip(BinaryOp.ADD, y, rows(bias, y), y);
        }
        if (gelu) {
            backend.map(UnaryOp.GELU, 0, pre, out);
        }
        if (residual != null) {
            backend.zip(BinaryOp.ADD, out, residual, out);
        }
    }

    /** A vector [N] seen as every row of y [M, N] (stride 0 over the rows). */
    private static Tensor rows(Tensor vector, Tensor y) {
        return new Tensor(vector.storage(), y.shape(), new int[] {0, vector.stride(0)}, vector.offset(), vector.device());
    }
}
