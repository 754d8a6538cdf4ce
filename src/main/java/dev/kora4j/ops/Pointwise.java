package dev.kora4j.ops;

import dev.kora4j.autograd.Tape;
import dev.kora4j.backend.Backends;
import dev.kora4j.backend.UnaryOp;
import dev.kora4j.tensor.Tensor;

/**
 * Elementwise functions of one tensor. Each derivative lives beside its function in
 * {@link UnaryOp}; here each op says which of x and y = f(x) its backward reads.
 */
public final class Pointwise {
    private Pointwise() {}

    /** Computes op(x) and records a backward that reads the saved x and/or y. */
    private static Tensor unary(UnaryOp op, double p, Tensor x, boolean savesX, boolean savesY) {
        Tensor out = Copies.empty(x, x.shape());
        Backends.of(x.device()).map(op, p, x, out);
        String name = op.name().toLowerCase(java.util.Locale.ROOT);
        Tensor[] saved = {savesX ? x.detach() : null, savesY ? out.detach() : null};
        return Tape.record(name, out, new Tensor[] {x}, saved, (g, node) -> {
            Tensor dx = Copies.empty(g, g.shape());
            Backends.of(g.device()).mapBackward(op, p, node.saved(0), node.saved(1), g, dx);
            return new Tensor[] {dx};
        });
    }

    /** Ops with a constant derivative c: backward is g·c. */
    private static Tensor linear(UnaryOp op, double p, Tensor x, double derivative) {
        Tensor out = Copies.empty(x, x.shape());
        Backends.of(x.device()).map(op, p, x, out);
        String name = op.name().toLowerCase(java.util.Locale.ROOT);
        return Tape.record(name, out, new Tensor[] {x}, (g, node) -> new Tensor[] {derivative == 1 ? g : mulScalar(g, derivative)});
    }

    public static Tensor neg(Tensor x) {
        return linear(UnaryOp.NEG, 0, x, -1);
    }

    public static Tensor addScalar(Tensor x, double c) {
        return linear(UnaryOp.ADD_SCALAR, c, x, 1);
    }

    public static Tensor mulScalar(Tensor x, double c) {
        return linear(UnaryOp.MUL_SCALAR, c, x, c);
    }

    public static Tensor exp(Tensor x) {
        return unary(UnaryOp.EXP, 0, x, false, true);
    }

    public static Tensor log(Tensor x) {
        return unary(UnaryOp.LOG, 0, x, true, false);
    }

    public static Tensor sqrt(Tensor x) {
        return unary(UnaryOp.SQRT, 0, x, false, true);
    }

    public static Tensor tanh(Tensor x) {
        return unary(UnaryOp.TANH, 0, x, false, true);
    }

    public static Tensor relu(Tensor x) {
        return unary(UnaryOp.RELU, 0, x, true, false);
    }

    public static Tensor pow(Tensor x, double exponent) {
        return unary(UnaryOp.POW, exponent, x, true, false);
    }

    /** Exact GELU, 0.5·x·(1 + erf(x/√2)) (timm's ViT uses this one). */
    public static Tensor gelu(Tensor x) {
        return unary(UnaryOp.GELU, 0, x, true, true); // y serves the cpu backward: Φ(x) = y/x
    }

    /** GELU with the tanh approximation. */
    public static Tensor geluTanh(Tensor x) {
        return unary(UnaryOp.GELU_TANH, 0, x, true, false);
    }
}
