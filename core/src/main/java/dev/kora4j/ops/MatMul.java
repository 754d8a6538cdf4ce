package dev.kora4j.ops;

import dev.kora4j.autograd.Tape;
import dev.kora4j.backend.Backends;
import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;
import java.util.Arrays;

/** Matrix products: batched matmul with broadcasting, and linear (x·Wᵀ + b). */
public final class MatMul {
    private MatMul() {}

    /**
     * a·b over the last two dims, batch dims broadcast (NumPy's matmul; a vector operand gets a
     * unit dim that is removed again). Transposed operands cost no copy: they arrive as strides.
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        if (a.rank() == 0 || b.rank() == 0) {
            throw Shape.mismatch("matmul", a.shape(), b.shape(), "cannot be multiplied: both operands need at least one dim");
        }
        if (a.rank() == 1) {
            return Views.squeeze(matmul(Views.unsqueeze(a, 0), b), -2);
        }
        if (b.rank() == 1) {
            return Views.squeeze(matmul(a, Views.unsqueeze(b, 1)), -1);
        }
        if (a.size(-1) != b.size(-2)) {
            throw Shape.mismatch("matmul", a.shape(), b.shape(), "cannot be multiplied (" + a.size(-1) + " columns against " + b.size(-2) + " rows)");
        }
        if (b.rank() == 2 && a.rank() > 2) {
            // [..., M, K]·[K, N] is one [(...·M), K]·[K, N] product: pack b once, not once per batch.
            int[] outShape = a.shape();
            outShape[outShape.length - 1] = b.size(1);
            return Views.reshape(matmul(Views.reshape(a, -1, a.size(-1)), b), outShape);
        }
        int[] batch = Shape.broadcast("matmul", Arrays.copyOf(a.shape(), a.rank() - 2), Arrays.copyOf(b.shape(), b.rank() - 2));
        Tensor ae = Views.expand(a.detach(), concat(batch, a.size(-2), a.size(-1)));
        Tensor be = Views.expand(b.detach(), concat(batch, b.size(-2), b.size(-1)));
        Tensor out = Tensor.empty(a.dtype(), a.device(), concat(batch, a.size(-2), b.size(-1)));
        Backends.of("matmul", a, b).matmul(ae, be, out, false);
        int[] sa = a.shape(), sb = b.shape();
        // dA = g·Bᵀ, dB = Aᵀ·g (each summed over the batch dims it was broadcast along)
        return Tape.record("matmul", out, new Tensor[] {a, b}, new Tensor[] {ae, be}, (g, node) -> new Tensor[] {
                node.needsGrad(0) ? Reductions.sumTo(product(g, Views.transpose(node.saved(1), -2, -1)), sa) : null,
                node.needsGrad(1) ? Reductions.sumTo(product(Views.transpose(node.saved(0), -2, -1), g), sb) : null});
    }

    /** An unrecorded batched product of equal-batch operands (for backward rules). */
    private static Tensor product(Tensor a, Tensor b) {
        int[] shape = a.shape();
        shape[shape.length - 1] = b.size(-1);
        Tensor out = Copies.empty(a, shape);
        Backends.of(a).matmul(a, b, out, false);
        return out;
    }

    /**
     * y = x·Wᵀ + b for x [..., in], W [out, in], b [out] or null. A frozen W (no grad wanted)
     * costs no weight-gradient product in backward, only dx = g·W.
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return linear(x, weight, bias, LinearTail.NONE);
    }

    /** The same followed by GELU, or plus a residual, in one op ({@link LinearTail}). */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias, LinearTail tail) {
        if (weight.rank() != 2 || x.rank() == 0 || x.size(-1) != weight.size(1)) {
            throw Shape.mismatch("linear", x.shape(), weight.shape(), "do not match (input [..., in], weight [out, in])");
        }
        if (bias != null && (bias.rank() != 1 || bias.size(0) != weight.size(0))) {
            throw Shape.mismatch("linear", weight.shape(), bias.shape(), "do not match (weight [out, in], bias [out])");
        }
        int in = weight.size(1);
        int outFeatures = weight.size(0);
        int[] outShape = x.shape();
        outShape[outShape.length - 1] = outFeatures;
        tail.check("linear", outShape);
        var backend = Backends.of("linear", x, weight, bias, tail.residual());
        Tensor x2 = Views.reshape(x.detach(), -1, in);
        Tensor y = Copies.empty(x, x2.size(0), outFeatures);
        Tensor pre = tail.preActivation(y, Tape.wantsGrad(tail.inputs(x, weight, bias)));
        backend.linear(x2, Views.transpose(weight.detach(), 0, 1), y, tail.epilogue(bias, pre, x2.size(0), outFeatures));
        int[] xShape = x.shape();
        boolean hasBias = bias != null;
        Tensor[] saved = {x2, weight.detach(), pre, tail.gelu() ? y : null};
        return Tape.record("linear", y.reshape(outShape), tail.inputs(x, weight, bias), saved, (g, node) -> {
            Tensor g2 = tail.productGradient(Views.reshape(g, -1, outFeatures), node.saved(2), node.saved(3));
            Tensor dx = node.needsGrad(0) ? Views.reshape(product(g2, node.saved(1)), xShape) : null;
            Tensor dw = node.needsGrad(1) ? product(Views.transpose(g2, 0, 1), node.saved(0)) : null;
            Tensor db = hasBias && node.needsGrad(2) ? Reductions.sum(g2, new int[] {0}, false) : null;
            tail.release(g2);
            return new Tensor[] {dx, dw, db, tail.residual() != null && node.needsGrad(3) ? g : null};
        });
    }

    private static int[] concat(int[] batch, int rows, int cols) {
        int[] shape = Arrays.copyOf(batch, batch.length + 2);
        shape[batch.length] = rows;
        shape[batch.length + 1] = cols;
        return shape;
    }
}
