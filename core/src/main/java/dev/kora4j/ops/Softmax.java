package dev.kora4j.ops;

import dev.kora4j.autograd.Tape;
import dev.kora4j.backend.Backends;
import dev.kora4j.backend.fused.SoftmaxKernel;
import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;

/**
 * Softmax and log-softmax along a dim: one kernel pass each way where the backend has a
 * {@link SoftmaxKernel} (it works on the last dim; others are moved there), else {@link #composed}.
 */
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
        var kernel = Backends.of(x).kernel(SoftmaxKernel.class);
        return kernel.isPresent() ? fused(kernel.get(), name, x, d, log) : composed(x, d, log);
    }

    private static Tensor fused(SoftmaxKernel kernel, String name, Tensor x, int d, boolean log) {
        int last = x.rank() - 1;
        Tensor moved = (d == last ? x.detach() : Views.transpose(x.detach(), d, last)).contiguous();
        Tensor y = Copies.empty(moved, moved.shape());
        kernel.softmax(moved, y, log);
        Tensor out = d == last ? y : Views.transpose(y, d, last);
        // softmax: dx = y·(g − Σ g·y); log-softmax: dx = g − softmax·Σ g (sums along the dim)
        return Tape.record(name, out, new Tensor[] {x}, new Tensor[] {y}, (g, node) -> {
            Tensor gMoved = (d == last ? g : Views.transpose(g, d, last)).contiguous();
            Tensor dx = Copies.empty(gMoved, gMoved.shape());
            kernel.softmaxBackward(node.saved(0), gMoved, dx, log);
            return new Tensor[] {d == last ? dx : Views.transpose(dx, d, last)};
        });
    }

    /**
     * The same function from primitives, the kernels' oracle: x shifted by its max along d (a
     * constant to autograd: softmax does not change under a shift), exp, normalised.
     */
    static Tensor composed(Tensor x, int d, boolean log) {
        Tensor shifted = x.sub(x.detach().max(d, true));
        Tensor e = shifted.exp(), sum = e.sum(true, d);
        return log ? shifted.sub(sum.log()) : e.div(sum);
    }
}
