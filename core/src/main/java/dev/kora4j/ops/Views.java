package dev.kora4j.ops;

import dev.kora4j.autograd.Backward;
import dev.kora4j.autograd.Tape;
import dev.kora4j.backend.Backends;
import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;
import java.util.Arrays;

/** Ops that only change how a storage is read (shape, strides, offset); no data moves. */
public final class Views {
    private Views() {}

    private static Tensor view(Tensor x, int[] shape, int[] strides, int offset) {
        return new Tensor(x.storage(), shape, strides, offset, x.device());
    }

    /** The same elements in a new shape (one dim may be -1); a view when x is contiguous, else a copy. */
    public static Tensor reshape(Tensor x, int... shape) {
        int[] target = inferShape(x, shape);
        if (Arrays.equals(target, x.shape())) {
            return x;
        }
        boolean copies = !x.isContiguous();
        Tensor source = copies ? Copies.contiguousCopy(x) : x;
        Tensor out = view(source, target, Shape.contiguousStrides(target), source.offset());
        int[] inputShape = x.shape();
        Backward backward = (g, node) -> new Tensor[] {reshape(g, inputShape)};
        return copies ? Tape.record("reshape", out, new Tensor[] {x}, backward) : Tape.recordView("reshape", out, x, backward);
    }

    private static int[] inferShape(Tensor x, int[] shape) {
        int[] target = shape.clone();
        int inferred = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1 && inferred < 0) {
                inferred = i;
            } else if (target[i] < 0) {
                throw Shape.mismatch("reshape", x.shape(), shape, "are incompatible: only one dimension may be -1 and none negative");
            } else {
                known *= target[i];
            }
        }
        if (inferred >= 0 && known > 0) {
            target[inferred] = (int) (x.numel() / known);
        }
        if (Shape.numel(target) != x.numel()) {
            throw Shape.mismatch("reshape", x.shape(), shape, "have different numbers of elements");
        }
        return target;
    }

    /** Dims reordered: out dim i is x's dim order[i]. */
    public static Tensor permute(Tensor x, int... order) {
        if (order.length != x.rank()) {
            throw Shape.mismatch("permute", x.shape(), order, "differ in rank (shape, order)");
        }
        int[] shape = new int[order.length];
        int[] strides = new int[order.length];
        int[] inverse = new int[order.length];
        boolean[] seen = new boolean[order.length];
        for (int i = 0; i < order.length; i++) {
            int d = Shape.dim("permute", order[i], x.rank());
            if (seen[d]) {
                throw new IllegalArgumentException("permute: dimension " + d + " appears twice in " + Arrays.toString(order));
            }
            seen[d] = true;
            shape[i] = x.size(d);
            strides[i] = x.stride(d);
            inverse[d] = i;
        }
        Tensor out = view(x, shape, strides, x.offset());
        return Tape.recordView("permute", out, x, (g, node) -> new Tensor[] {permute(g, inverse)});
    }

    public static Tensor transpose(Tensor x, int dim0, int dim1) {
        int[] order = new int[x.rank()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        int a = Shape.dim("transpose", dim0, x.rank());
        int b = Shape.dim("transpose", dim1, x.rank());
        order[a] = b;
        order[b] = a;
        return permute(x, order);
    }

    /** Elements start..start+length-1 along dim. */
    public static Tensor narrow(Tensor x, int dim, int start, int length) {
        int d = Shape.dim("narrow", dim, x.rank());
        if (start < 0 || length < 0 || start + length > x.size(d)) {
            throw new IllegalArgumentException("narrow: range [" + start + ", " + (start + length) + ") is outside dimension " + d
                    + " of size " + x.size(d) + " (shape " + Shape.format(x.shape()) + ")");
        }
        int[] shape = x.shape();
        shape[d] = length;
        Tensor out = view(x, shape, x.strides(), x.offset() + start * x.stride(d));
        int[] inputShape = x.shape();
        return Tape.recordView("narrow", out, x, (g, node) -> new Tensor[] {padInto(g, inputShape, d, start)});
    }

    /** A zero tensor of {@code shape} with g written at {@code start} along {@code dim}. */
    private static Tensor padInto(Tensor g, int[] shape, int dim, int start) {
        Tensor full = Copies.zeros(g, shape);
        Tensor window = narrow(full, dim, start, g.size(dim));
        Backends.of(g).copy(g, window);
        return full;
    }

    public static Tensor select(Tensor x, int dim, int index) {
        int d = Shape.dim("select", dim, x.rank());
        return squeeze(narrow(x, d, index, 1), d);
    }

    /** Size-1 dims repeated (stride 0) to a larger shape; leading dims may be added. */
    public static Tensor expand(Tensor x, int... shape) {
        if (shape.length < x.rank()) {
            throw Shape.mismatch("expand", x.shape(), shape, "are incompatible: cannot expand to a lower rank");
        }
        int lead = shape.length - x.rank();
        int[] strides = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            int src = i - lead;
            if (src < 0) {
                strides[i] = 0;
            } else if (x.size(src) == shape[i]) {
                strides[i] = x.stride(src);
            } else if (x.size(src) == 1) {
                strides[i] = 0;
            } else {
                throw Shape.mismatch("expand", x.shape(), shape, "are incompatible: only size-1 dims can expand");
            }
        }
        if (Arrays.equals(shape, x.shape())) {
            return x;
        }
        Tensor out = view(x, shape.clone(), strides, x.offset());
        int[] inputShape = x.shape();
        return Tape.recordView("expand", out, x, (g, node) -> new Tensor[] {Reductions.sumTo(g, inputShape)});
    }

    public static Tensor unsqueeze(Tensor x, int dim) {
        int d = Shape.dim("unsqueeze", dim, x.rank() + 1);
        int[] shape = new int[x.rank() + 1];
        int[] strides = new int[x.rank() + 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i == d) {
                shape[i] = 1;
                strides[i] = j < x.rank() ? x.stride(j) * x.size(j) : 1;
            } else {
                shape[i] = x.size(j);
                strides[i] = x.stride(j);
                j++;
            }
        }
        Tensor out = view(x, shape, strides, x.offset());
        return Tape.recordView("unsqueeze", out, x, (g, node) -> new Tensor[] {squeeze(g, d)});
    }

    public static Tensor squeeze(Tensor x, int dim) {
        int d = Shape.dim("squeeze", dim, x.rank());
        if (x.size(d) != 1) {
            throw new IllegalArgumentException("squeeze: dimension " + d + " of shape " + Shape.format(x.shape()) + " is not of size 1");
        }
        int[] shape = new int[x.rank() - 1];
        int[] strides = new int[x.rank() - 1];
        for (int i = 0, j = 0; i < x.rank(); i++) {
            if (i != d) {
                shape[j] = x.size(i);
                strides[j++] = x.stride(i);
            }
        }
        Tensor out = view(x, shape, strides, x.offset());
        return Tape.recordView("squeeze", out, x, (g, node) -> new Tensor[] {unsqueeze(g, d)});
    }
}
