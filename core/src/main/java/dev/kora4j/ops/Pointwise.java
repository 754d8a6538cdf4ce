package dev.kora4j.ops;

import dev.kora4j.autograd.Tape;
import dev.kora4j.backend.Backends;
import dev.kora4j.backend.UnaryOp;
import dev.kora4j.tensor.Tensor;

/**
 * Elementwise functions of one tensor. Each op's function, derivative and what the derivative reads
 * live in one entry of {@link UnaryOp}; {@link #apply} turns any entry into a recorded op.
 */
public final class Pointwise {
    private Pointwise() {}

    /** op(x) with parameter p, recorded with a backward that keeps only what op's derivative reads. */
    public static Tensor apply(UnaryOp op, double p, Tensor x) {
        Tensor out = Copies.empty(x, x.shape());
        Backends.of(x).map(op, p, x, out);
        UnaryOp.Reads reads = op.reads();
        if (reads == UnaryOp.Reads.NOTHING) { // a constant derivative c: backward is g·c
            double c = op.derivative(0, 0, p);
            return Tape.record(op.opName(), out, new Tensor[] {x}, (g, node) -> new Tensor[] {c == 1 ? g : mulScalar(g, c)});
        }
        Tensor[] saved = {reads.x() ? x.detach() : null, reads.y() ? out.detach() : null};
        return Tape.record(op.opName(), out, new Tensor[] {x}, saved, (g, node) -> {
            Tensor dx = Copies.empty(g, g.shape());
            Backends.of(g).mapBackward(op, p, node.saved(0), node.saved(1), g, dx);
            return new Tensor[] {dx};
        });
    }

    /** op(x) for an op without a parameter. */
    public static Tensor apply(UnaryOp op, Tensor x) {
        return apply(op, 0, x);
    }

    public static Tensor neg(Tensor x) {
        return apply(UnaryOp.NEG, x);
    }

    public static Tensor addScalar(Tensor x, double c) {
        return apply(UnaryOp.ADD_SCALAR, c, x);
    }

    public static Tensor mulScalar(Tensor x, double c) {
        return apply(UnaryOp.MUL_SCALAR, c, x);
    }

    public static Tensor exp(Tensor x) {
        return apply(UnaryOp.EXP, x);
    }

    public static Tensor log(Tensor x) {
        return apply(UnaryOp.LOG, x);
    }

    public static Tensor sqrt(Tensor x) {
        return apply(UnaryOp.SQRT, x);
    }

    public static Tensor tanh(Tensor x) {
        return apply(UnaryOp.TANH, x);
    }

    public static Tensor relu(Tensor x) {
        return apply(UnaryOp.RELU, x);
    }

    public static Tensor pow(Tensor x, double exponent) {
        return apply(UnaryOp.POW, exponent, x);
    }

    /** Exact GELU, 0.5·x·(1 + erf(x/√2)) (timm's ViT uses this one). */
    public static Tensor gelu(Tensor x) {
        return apply(UnaryOp.GELU, x);
    }

    /** GELU with the tanh approximation. */
    public static Tensor geluTanh(Tensor x) {
        return apply(UnaryOp.GELU_TANH, x);
    }

    /** The logistic function 1/(1 + e^−x). */
    public static Tensor sigmoid(Tensor x) {
        return apply(UnaryOp.SIGMOID, x);
    }
}
