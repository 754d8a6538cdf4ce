package dev.kora4j.ops;

import dev.kora4j.autograd.Tape;
import dev.kora4j.backend.Backends;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;
import java.util.Arrays;

/** sum, mean and max over dims; the gradient of a reduction broadcasts back over the reduced dims. */
public final class Reductions {
    private Reductions() {}

    /** Sum over {@code dims} (all dims when empty); keepDim keeps them as size 1. */
    public static Tensor sum(Tensor x, int[] dims, boolean keepDim) {
        boolean[] reduced = reducedDims("sum", x, dims);
        int[] keptShape = x.shape();
        int[] dimList = new int[countTrue(reduced)];
        for (int d = 0, j = 0; d < reduced.length; d++) {
            if (reduced[d]) {
                keptShape[d] = 1;
                dimList[j++] = d;
            }
        }
        Tensor out = Copies.empty(x, keptShape);
        Backends.of(x).sum(x, dimList, out);
        if (!keepDim) {
            out = out.detach().reshape(dropDims(keptShape, reduced));
        }
        int[] inputShape = x.shape();
        // d sum = g broadcast back over the summed dims
        return Tape.record("sum", out, new Tensor[] {x},
                (g, node) -> new Tensor[] {Views.expand(Views.reshape(g, keptShape), inputShape)});
    }

    public static Tensor sumAll(Tensor x) {
        return sum(x, new int[0], false);
    }

    public static Tensor mean(Tensor x, int[] dims, boolean keepDim) {
        boolean[] reduced = reducedDims("mean", x, dims);
        long count = 1;
        for (int d = 0; d < reduced.length; d++) {
            count *= reduced[d] ? x.size(d) : 1;
        }
        return Pointwise.mulScalar(sum(x, dims, keepDim), 1.0 / count);
    }

    public static Tensor meanAll(Tensor x) {
        return mean(x, new int[0], false);
    }

    /** Maximum along one dim; the gradient goes to the first maximal element. */
    public static Tensor max(Tensor x, int dim, boolean keepDim) {
        int d = Shape.dim("max", dim, x.rank());
        if (x.size(d) == 0) {
            throw new IllegalArgumentException("max: dimension " + d + " of shape " + Shape.format(x.shape()) + " is empty");
        }
        int[] keptShape = x.shape();
        keptShape[d] = 1;
        Tensor out = Copies.empty(x, keptShape);
        int[] argmax = new int[out.numel()];
        Backends.of(x).max(x, d, out, argmax);
        if (!keepDim) {
            out = out.detach().reshape(dropDims(keptShape, oneDim(x.rank(), d)));
        }
        int[] inputShape = x.shape();
        return Tape.record("max", out, new Tensor[] {x}, (g, node) -> new Tensor[] {scatterAlong(g, inputShape, d, argmax)});
    }

    /** A zero tensor of {@code shape} holding g[o] at index argmax[o] along dim. */
    private static Tensor scatterAlong(Tensor g, int[] shape, int dim, int[] argmax) {
        // Built on the heap and moved in one transfer when g lives off the heap.
        Tensor dx = g.device().onHeap() ? Copies.zeros(g, shape) : Tensor.zeros(g.dtype(), Device.CPU, shape);
        int[] keptShape = shape.clone();
        keptShape[dim] = 1;
        double[] values = g.toDoubleArray();
        int[] index = new int[shape.length];
        for (int o = 0; o < values.length; o++) {
            index[dim] = argmax[o];
            dx.set(values[o], index);
            index[dim] = 0;
            for (int k = shape.length - 1; k >= 0 && ++index[k] == keptShape[k]; k--) {
                index[k] = 0;
            }
        }
        return Copies.to(dx, g.device());
    }

    /** g summed down to {@code shape} (the inverse of broadcasting it up to g's shape). */
    public static Tensor sumTo(Tensor g, int[] shape) {
        if (Arrays.equals(g.shape(), shape)) {
            return g;
        }
        int lead = g.rank() - shape.length;
        int[] dims = new int[g.rank()];
        int n = 0;
        for (int i = 0; i < g.rank(); i++) {
            if (i < lead || (shape[i - lead] == 1 && g.size(i) != 1)) {
                dims[n++] = i;
            }
        }
        Tensor summed = n == 0 ? g : sum(g, Arrays.copyOf(dims, n), true);
        return Views.reshape(summed, shape);
    }

    private static boolean[] reducedDims(String op, Tensor x, int[] dims) {
        boolean[] reduced = new boolean[x.rank()];
        if (dims.length == 0) {
            Arrays.fill(reduced, true);
        }
        for (int dim : dims) {
            int d = Shape.dim(op, dim, x.rank());
            if (reduced[d] && dims.length > 0) {
                throw new IllegalArgumentException(op + ": dimension " + d + " is listed twice");
            }
            reduced[d] = true;
        }
        return reduced;
    }

    private static boolean[] oneDim(int rank, int d) {
        boolean[] b = new boolean[rank];
        b[d] = true;
        return b;
    }

    private static int countTrue(boolean[] flags) {
        int n = 0;
        for (boolean f : flags) {
            n += f ? 1 : 0;
        }
        return n;
    }

    private static int[] dropDims(int[] shape, boolean[] drop) {
        int[] out = new int[shape.length - countTrue(drop)];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (!drop[i]) {
                out[j++] = shape[i];
            }
        }
        return out;
    }
}
