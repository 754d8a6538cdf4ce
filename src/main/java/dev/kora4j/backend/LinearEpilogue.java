package dev.kora4j.backend;

import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;
import java.util.Arrays;

/**
 * What a linear layer does to its product before storing it, so that a backend can do it while
 * each tile of the output is still in cache instead of in passes of its own:
 *
 * <pre>
 *   pre = a·b + u·v + bias        (u [M, r], v [r, N]: a low-rank update such as LoRA's s·(x·Aᵀ)·Bᵀ)
 *   out = act(pre) + residual     (act: GELU or none)
 * </pre>
 *
 * Every part may be absent (null, or false for gelu). With gelu, {@code pre} receives the value
 * before the activation (GELU's backward reads it); without, pre is null. u and v may be views;
 * bias [N], residual [M, N] and pre [M, N] are contiguous.
 */
public record LinearEpilogue(Tensor u, Tensor v, Tensor bias, boolean gelu, Tensor pre, Tensor residual) {
    public static final LinearEpilogue NONE = new LinearEpilogue(null, null, null, false, null, null);

    public LinearEpilogue {
        if ((u == null) != (v == null)) {
            throw new IllegalArgumentException("linear epilogue: a low-rank update needs both u and v");
        }
        if (gelu != (pre != null)) {
            throw new IllegalArgumentException("linear epilogue: GELU needs a tensor for the pre-activation, and only GELU does");
        }
        for (Tensor t : new Tensor[] {bias, pre, residual}) {
            if (t != null && !t.isContiguous()) {
                throw new IllegalArgumentException("linear epilogue: bias, pre and residual must be contiguous");
            }
        }
    }

    public static LinearEpilogue bias(Tensor bias) {
        return new LinearEpilogue(null, null, bias, false, null, null);
    }

    public LinearEpilogue withLowRank(Tensor u, Tensor v) {
        return new LinearEpilogue(u, v, bias, gelu, pre, residual);
    }

    public LinearEpilogue withGelu(Tensor pre) {
        return new LinearEpilogue(u, v, bias, true, pre, residual);
    }

    public LinearEpilogue withResidual(Tensor residual) {
        return new LinearEpilogue(u, v, bias, gelu, pre, residual);
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
        if (bias != null && (bias.rank() != 1 || bias.size(0) != n)) {
            throw Shape.mismatch("linear epilogue", bias.shape(), out.shape(), "do not match (bias [N], out [M, N])");
        }
        for (Tensor t : new Tensor[] {pre, residual}) {
            if (t != null && !Arrays.equals(t.shape(), out.shape())) {
                throw Shape.mismatch("linear epilogue", t.shape(), out.shape(), "differ: pre and residual have the output's shape");
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
        if (bias != null) {
            Tensor rows = new Tensor(bias.storage(), y.shape(), new int[] {0, bias.stride(0)}, bias.offset(), bias.device());
            backend.zip(BinaryOp.ADD, y, rows, y);
        }
        if (gelu) {
            backend.map(UnaryOp.GELU, 0, pre, out);
        }
        if (residual != null) {
            backend.zip(BinaryOp.ADD, out, residual, out);
        }
    }
}
