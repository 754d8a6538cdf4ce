package dev.kora4j.ops;

import dev.kora4j.backend.Backends;
import dev.kora4j.backend.LinearEpilogue;
import dev.kora4j.backend.UnaryOp;
import dev.kora4j.tensor.BufferPool;
import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;
import java.util.Arrays;

/**
 * What a linear op does to its output within the same op, so that a backend can do it in the
 * product's own pass over the output: GELU (a ViT block's fc1), or a residual added (the block's
 * x + proj(…) and x + fc2(…)). Not both: GELU's backward reads GELU's output, which a residual
 * would overwrite. Backward: the residual's gradient is the output's; the product's is
 * GELU'(pre)·g from the saved pre-activation and output.
 */
public record LinearTail(boolean gelu, Tensor residual) {
    public static final LinearTail NONE = new LinearTail(false, null);
    public static final LinearTail GELU = new LinearTail(true, null);

    public LinearTail {
        if (gelu && residual != null) {
            throw new IllegalArgumentException("a linear op's tail is GELU or a residual, not both");
        }
    }

    public static LinearTail residual(Tensor residual) {
        return new LinearTail(false, residual);
    }

    /** The tail as ops of its own on an output computed without it. */
    public Tensor apply(Tensor y) {
        return gelu ? y.gelu() : residual != null ? residual.add(y) : y;
    }

    /** Checks the residual against the op's output shape. */
    public void check(String op, int[] outShape) {
        if (residual != null && !Arrays.equals(residual.shape(), outShape)) {
            throw Shape.mismatch(op, residual.shape(), outShape, "differ: the residual must have the output's shape");
        }
    }

    /**
     * Where the product goes before GELU when the tail is GELU, else null: a buffer of its own when
     * the op is recorded (backward reads it), else the output itself, GELU applied in place (an
     * inference pass then writes one [rows, cols] output instead of two).
     */
    public Tensor preActivation(Tensor output, boolean recorded) {
        return !gelu ? null : recorded ? Copies.empty(output, output.shape()) : output;
    }

    /**
     * The backend's epilogue for an output of rows × cols: bias (made contiguous), GELU into
     * {@code pre} (from {@link #preActivation}), the residual as a contiguous [rows, cols].
     */
    public LinearEpilogue epilogue(Tensor bias, Tensor pre, int rows, int cols) {
        LinearEpilogue e = LinearEpilogue.bias(bias == null ? null : bias.detach().contiguous());
        if (gelu) {
            e = e.withGelu(pre);
        }
        if (residual != null) {
            e = e.withResidual(Views.reshape(residual.detach().contiguous(), rows, cols));
        }
        return e;
    }

    /** The input list of the recorded op: the op's own, then the residual (null without). */
    public Tensor[] inputs(Tensor... own) {
        Tensor[] all = Arrays.copyOf(own, own.length + 1);
        all[own.length] = residual;
        return all;
    }

    /** The gradient of the product (before the tail) from the output's g2 [rows, cols]. */
    public Tensor productGradient(Tensor g2, Tensor pre, Tensor out) {
        if (!gelu) {
            return g2;
        }
        Tensor gPre = Copies.empty(g2, g2.shape());
        Backends.of(g2).mapBackward(UnaryOp.GELU, 0, pre, out, g2, gPre);
        return gPre;
    }

    /** Hands GELU's product gradient back to the step's pool once backward has used it. */
    public void release(Tensor productGradient) {
        if (gelu) {
            BufferPool.recycle(productGradient);
        }
    }
}
