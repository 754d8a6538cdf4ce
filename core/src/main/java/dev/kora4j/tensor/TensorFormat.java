package dev.kora4j.tensor;

import java.util.Locale;

/** PyTorch-like text for a tensor: nested brackets, long dims elided, then shape, dtype, device. */
final class TensorFormat {
    /** Dims longer than this show their first and last {@link #EDGE_ITEMS} entries only. */
    private static final int MAX_ITEMS = 6;
    private static final int EDGE_ITEMS = 3;

    private TensorFormat() {}

    static String format(Tensor t) {
        StringBuilder sb = new StringBuilder("tensor(");
        int[] index = new int[t.rank()];
        appendDim(sb, t, index, 0, "tensor(".length());
        sb.append(", shape=").append(Shape.format(t.shape()))
                .append(", dtype=").append(t.dtype())
                .append(", device=").append(t.device());
        if (t.gradFn() != null) {
            sb.append(", grad_fn=").append(t.gradFn().op());
        } else if (t.requiresGrad()) {
            sb.append(", requires_grad");
        }
        return sb.append(')').toString();
    }

    private static void appendDim(StringBuilder sb, Tensor t, int[] index, int dim, int indent) {
        if (dim == t.rank()) {
            sb.append(String.format(Locale.ROOT, "%.4f", t.get(index)));
            return;
        }
        int n = t.size(dim);
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (n > MAX_ITEMS && i == EDGE_ITEMS) {
                sb.append("...");
                i = n - EDGE_ITEMS;
                sb.append(dim == t.rank() - 1 ? ", " : ",\n" + " ".repeat(indent + dim + 1));
            }
            index[dim] = i;
            appendDim(sb, t, index, dim + 1, indent);
            if (i < n - 1) {
                sb.append(dim == t.rank() - 1 ? ", " : ",\n" + " ".repeat(indent + dim + 1));
            }
        }
        index[dim] = 0;
        sb.append(']');
    }
}
