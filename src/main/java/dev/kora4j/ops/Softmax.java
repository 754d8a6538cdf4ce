package dev.kora4j.ops;

import dev.kora4j.autograd.Tape;
import dev.kora4j.backend.Backends;
import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;

/** Softmax and log-softmax along a dim (kernels work on the last dim; others are moved there). */
public final class Softmax {
    private Softmax() {}

    public static Tensor softmax(Tensor x, int dim) {
        return apply("softmax", x, dim, false);
    }

    public static Tensor logSoftmax(Tensor x, int dim) {
        return apply("log_softmax", x, dim, true);
    }

    private static Tensor apply(String name, Tensor x, int dim, boolean log) {
        int d = Shape.dim(name, dim, x.rank());
        int last = x.rank() - 1;
        Tensor moved = (d == last ? x.detach() : Views.transpose(x.detach(), d, last)).contiguous();
        Tensor y = Copies.empty(moved, moved.shape());
        Backends.of(x.device()).softmax(moved, y, log);
        Tensor out = d == last ? y : Views.transpose(y, d, last);
        // softmax: dx = y·(g − Σ g·y); log-softmax: dx = g − softmax·Σ g (sums along the dim)
        return Tape.record(name, out, new Tensor[] {x}, new Tensor[] {y}, (g, node) -> {
            Tensor gMoved = (d == last ? g : Views.transpose(g, d, last)).contiguous();
            Tensor dx = Copies.empty(gMoved, gMoved.shape());
            Backends.of(g.device()).softmaxBackward(node.saved(0), gMoved, dx, log);
            return new Tensor[] {d == last ? dx : Views.transpose(dx, d, last)};
        });
    }
}
