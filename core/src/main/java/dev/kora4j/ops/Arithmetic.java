package dev.kora4j.ops;

import dev.kora4j.autograd.Tape;
import dev.kora4j.backend.Backends;
import dev.kora4j.backend.BinaryOp;
import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;
import java.util.Arrays;

/** add, sub, mul, div of two tensors with NumPy broadcasting. */
public final class Arithmetic {
    private Arithmetic() {}

    private static Tensor zip(String name, BinaryOp op, Tensor a, Tensor b) {
        var backend = Backends.of(name, a, b);
        int[] shape = Shape.broadcast(name, a.shape(), b.shape());
        Tensor out = Tensor.empty(a.dtype(), a.device(), shape);
        backend.zip(op, Views.expand(a.detach(), shape), Views.expand(b.detach(), shape), out);
        return out;
    }

    // d(a+b) = g, g        (each reduced back to its input's shape)
    public static Tensor add(Tensor a, Tensor b) {
        Tensor out = zip("add", BinaryOp.ADD, a, b);
        int[] sa = a.shape(), sb = b.shape();
        return Tape.record("add", out, new Tensor[] {a, b}, (g, node) -> new Tensor[] {
                node.needsGrad(0) ? Reductions.sumTo(g, sa) : null,
                node.needsGrad(1) ? Reductions.sumTo(g, sb) : null});
    }

    // d(a−b) = g, −g
    public static Tensor sub(Tensor a, Tensor b) {
        Tensor out = zip("sub", BinaryOp.SUB, a, b);
        int[] sa = a.shape(), sb = b.shape();
        return Tape.record("sub", out, new Tensor[] {a, b}, (g, node) -> new Tensor[] {
                node.needsGrad(0) ? Reductions.sumTo(g, sa) : null,
                node.needsGrad(1) ? Reductions.sumTo(Pointwise.neg(g), sb) : null});
    }

    // d(a·b) = g·b, g·a
    public static Tensor mul(Tensor a, Tensor b) {
        Tensor out = zip("mul", BinaryOp.MUL, a, b);
        int[] sa = a.shape(), sb = b.shape();
        return Tape.record("mul", out, new Tensor[] {a, b}, new Tensor[] {a.detach(), b.detach()}, (g, node) -> new Tensor[] {
                node.needsGrad(0) ? Reductions.sumTo(mul(g, node.saved(1)), sa) : null,
                node.needsGrad(1) ? Reductions.sumTo(mul(g, node.saved(0)), sb) : null});
    }

    // d(a/b) = g/b, −g·a/b²
    public static Tensor div(Tensor a, Tensor b) {
        Tensor out = zip("div", BinaryOp.DIV, a, b);
        int[] sa = a.shape(), sb = b.shape();
        return Tape.record("div", out, new Tensor[] {a, b}, new Tensor[] {a.detach(), b.detach()}, (g, node) -> {
            Tensor gOverB = div(g, node.saved(1));
            return new Tensor[] {
                node.needsGrad(0) ? Reductions.sumTo(gOverB, sa) : null,
                node.needsGrad(1) ? Reductions.sumTo(Pointwise.neg(div(mul(gOverB, node.saved(0)), node.saved(1))), sb) : null};
        });
    }

    /** dst += src in place (same shape; dst contiguous); not recorded. Accumulates gradients. */
    public static void addInPlace(Tensor dst, Tensor src) {
        if (!Arrays.equals(dst.shape(), src.shape())) {
            throw Shape.mismatch("addInPlace", dst.shape(), src.shape(), "differ");
        }
        Backends.of("addInPlace", dst, src).zip(BinaryOp.ADD, dst, src, dst);
    }
}
