package dev.kora4j.backend.cpu;

import dev.kora4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * How to walk several same-shaped tensors together as rows: dims that are contiguous in every
 * operand merge, size-1 dims drop, and what is left is an inner row (one stride per operand:
 * 1 is contiguous, 0 is broadcast) repeated over the outer index space.
 */
final class RowPlan {
    final int rows;
    final int cols;
    /** Per operand: the stride along the row. */
    final int[] colStride;
    private final int[] outerShape;
    /** Per operand, per outer dim: the stride. */
    private final int[][] outerStrides;
    private final int[] base;

    RowPlan(Tensor... operands) {
        int[] shape = operands[0].shape();
        List<int[]> dims = new ArrayList<>(); // each: {size, stride of operand 0, stride of operand 1, ...}
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) {
                continue;
            }
            int[] dim = new int[operands.length + 1];
            dim[0] = shape[d];
            for (int o = 0; o < operands.length; o++) {
                dim[o + 1] = operands[o].stride(d);
            }
            if (!dims.isEmpty() && mergeable(dims.getLast(), dim)) {
                int[] prev = dims.getLast();
                prev[0] *= dim[0];
                for (int o = 1; o < dim.length; o++) {
                    prev[o] = dim[o];
                }
            } else {
                dims.add(dim);
            }
        }
        int n = operands.length;
        base = new int[n];
        colStride = new int[n];
        for (int o = 0; o < n; o++) {
            base[o] = operands[o].offset();
            colStride[o] = 1;
        }
        if (dims.isEmpty()) {
            rows = operands[0].numel() == 0 ? 0 : 1;
            cols = 1;
            outerShape = new int[0];
            outerStrides = new int[n][0];
            return;
        }
        int[] inner = dims.removeLast();
        cols = inner[0];
        for (int o = 0; o < n; o++) {
            colStride[o] = inner[o + 1];
        }
        outerShape = new int[dims.size()];
        outerStrides = new int[n][dims.size()];
        int r = 1;
        for (int d = 0; d < dims.size(); d++) {
            outerShape[d] = dims.get(d)[0];
            r *= outerShape[d];
            for (int o = 0; o < n; o++) {
                outerStrides[o][d] = dims.get(d)[o + 1];
            }
        }
        rows = operands[0].numel() == 0 ? 0 : r;
    }

    /** Dims a (outer) and b (inner) merge when every operand steps through a exactly as through b's whole range. */
    private static boolean mergeable(int[] a, int[] b) {
        for (int o = 1; o < a.length; o++) {
            if (a[o] != b[o] * b[0]) {
                return false;
            }
        }
        return true;
    }

    /** Storage index of the first element of row {@code row} in operand {@code operand}. */
    int rowStart(int operand, int row) {
        int at = base[operand];
        int[] strides = outerStrides[operand];
        for (int d = outerShape.length - 1; d >= 0; d--) {
            int size = outerShape[d];
            at += (row % size) * strides[d];
            row /= size;
        }
        return at;
    }
}
