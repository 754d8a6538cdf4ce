package dev.kora4j.ops;

import dev.kora4j.autograd.Tape;
import dev.kora4j.backend.Backends;
import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;

/** concat, split and stack along a dim. */
public final class Joins {
    private Joins() {}

    /** Tensors joined along an existing dim; all other dims must agree. */
    public static Tensor concat(int dim, Tensor... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("concat: no tensors given");
        }
        Tensor first = parts[0];
        int d = Shape.dim("concat", dim, first.rank());
        int[] shape = first.shape();
        shape[d] = 0;
        for (Tensor p : parts) {
            Backends.of("concat", first, p);
            if (p.rank() != first.rank()) {
                throw Shape.mismatch("concat", first.shape(), p.shape(), "differ in rank");
            }
            for (int i = 0; i < p.rank(); i++) {
                if (i != d && p.size(i) != first.size(i)) {
                    throw Shape.mismatch("concat", first.shape(), p.shape(), "differ outside dimension " + d);
                }
            }
            shape[d] += p.size(d);
        }
        Tensor out = Copies.empty(first, shape);
        int[] starts = new int[parts.length];
        int at = 0;
        for (int i = 0; i < parts.length; i++) {
            starts[i] = at;
            Backends.of(first).copy(parts[i], Views.narrow(out.detach(), d, at, parts[i].size(d)));
            at += parts[i].size(d);
        }
        // each part's gradient is its window of g
        return Tape.record("concat", out, parts, (g, node) -> {
            Tensor[] grads = new Tensor[starts.length];
            for (int i = 0; i < grads.length; i++) {
                int length = (i + 1 < starts.length ? starts[i + 1] : g.size(d)) - starts[i];
                grads[i] = node.needsGrad(i) ? Views.narrow(g, d, starts[i], length) : null;
            }
            return grads;
        });
    }

    /** Consecutive pieces of the given sizes along dim (views, each with its own gradient). */
    public static Tensor[] split(Tensor x, int dim, int... sizes) {
        int d = Shape.dim("split", dim, x.rank());
        int total = 0;
        for (int s : sizes) {
            total += s;
        }
        if (total != x.size(d)) {
            throw new IllegalArgumentException("split: sizes sum to " + total + " but dimension " + d + " of "
                    + Shape.format(x.shape()) + " has " + x.size(d));
        }
        Tensor[] pieces = new Tensor[sizes.length];
        for (int i = 0, at = 0; i < sizes.length; at += sizes[i], i++) {
            pieces[i] = Views.narrow(x, d, at, sizes[i]);
        }
        return pieces;
    }

    /** Equal tensors joined along a new dim. */
    public static Tensor stack(int dim, Tensor... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("stack: no tensors given");
        }
        int d = Shape.dim("stack", dim, parts[0].rank() + 1);
        Tensor[] expanded = new Tensor[parts.length];
        for (int i = 0; i < parts.length; i++) {
            if (!java.util.Arrays.equals(parts[i].shape(), parts[0].shape())) {
                throw Shape.mismatch("stack", parts[0].shape(), parts[i].shape(), "differ");
            }
            expanded[i] = Views.unsqueeze(parts[i], d);
        }
        return concat(d, expanded);
    }
}
