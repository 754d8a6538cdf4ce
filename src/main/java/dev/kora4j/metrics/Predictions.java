package dev.kora4j.metrics;

import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Tensor;

/** Turns model outputs and label tensors into the int arrays that {@link ConfusionMatrix} counts. */
public final class Predictions {
    private Predictions() {}

    /**
     * The predicted class of each row of logits [B, C]: the index of the largest value, the first one
     * on ties, and NaN counting as the largest (as {@code torch.argmax} does).
     */
    public static int[] argmax(Tensor logits) {
        if (logits.rank() != 2) {
            throw new IllegalArgumentException("logits must be [batch, classes], got rank " + logits.rank());
        }
        return argmax(host(logits).toDoubleArray(), logits.size(1));
    }

    /** {@link #argmax(Tensor)} of row-major logits with {@code classes} values per row. */
    public static int[] argmax(double[] logits, int classes) {
        if (classes < 1 || logits.length % classes != 0) {
            throw new IllegalArgumentException(logits.length + " logits do not split into rows of " + classes + " classes");
        }
        int rows = logits.length / classes;
        int[] out = new int[rows];
        for (int r = 0; r < rows; r++) {
            int base = r * classes;
            int best = 0;
            double bestValue = logits[base];
            for (int c = 1; c < classes && !Double.isNaN(bestValue); c++) {
                double v = logits[base + c];
                if (v > bestValue || Double.isNaN(v)) {
                    best = c;
                    bestValue = v;
                }
            }
            out[r] = best;
        }
        return out;
    }

    /** A label tensor [B] of whole numbers as ints. */
    public static int[] labels(Tensor labels) {
        if (labels.rank() != 1) {
            throw new IllegalArgumentException("labels must be a vector [batch], got rank " + labels.rank());
        }
        double[] values = host(labels).toDoubleArray();
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (v != Math.rint(v) || v < 0 || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("label " + v + " at index " + i + " is not a class index");
            }
            out[i] = (int) v;
        }
        return out;
    }

    private static Tensor host(Tensor t) {
        return t.device() == Device.CUDA ? t.detach().to(Device.CPU) : t;
    }
}
