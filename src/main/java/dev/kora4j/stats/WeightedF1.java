package dev.kora4j.stats;

import dev.kora4j.metrics.ConfusionMatrix;
import java.util.Arrays;
import java.util.function.ToDoubleFunction;

/**
 * The weighted F1 of a resample of test items, counted into three reused int arrays instead of a new
 * {@link ConfusionMatrix} (whose numClasses² counts would be allocated and cleared every replicate).
 * Its arithmetic is {@link ConfusionMatrix#weightedF1()}'s, step for step, so the two agree to the bit.
 * One instance per thread.
 */
final class WeightedF1 implements ToDoubleFunction<int[]> {
    private final int[] labels;
    private final int[] predicted;
    private final int[] support;
    private final int[] predictedCount;
    private final int[] truePositives;

    WeightedF1(int[] labels, int[] predicted, int numClasses) {
        this.labels = labels;
        this.predicted = predicted;
        this.support = new int[numClasses];
        this.predictedCount = new int[numClasses];
        this.truePositives = new int[numClasses];
    }

    /** Checks the labels once, so that the per-replicate loop need not. */
    static void check(int[] labels, int[] predicted, int numClasses) {
        if (numClasses < 1 || numClasses > ConfusionMatrix.MAX_CLASSES) {
            throw new IllegalArgumentException("number of classes must be between 1 and " + ConfusionMatrix.MAX_CLASSES + ", got " + numClasses);
        }
        if (labels.length != predicted.length) {
            throw new IllegalArgumentException(labels.length + " true labels but " + predicted.length + " predictions");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses || predicted[i] < 0 || predicted[i] >= numClasses) {
                throw new IllegalArgumentException("labels at index " + i + " (true " + labels[i] + ", predicted " + predicted[i]
                        + ") must be in [0, " + numClasses + ")");
            }
        }
    }

    @Override
    public double applyAsDouble(int[] indices) {
        Arrays.fill(support, 0);
        Arrays.fill(predictedCount, 0);
        Arrays.fill(truePositives, 0);
        for (int index : indices) {
            int t = labels[index];
            int p = predicted[index];
            support[t]++;
            predictedCount[p]++;
            if (t == p) {
                truePositives[t]++;
            }
        }
        double sum = 0;
        for (int c = 0; c < support.length; c++) {
            if (support[c] > 0) {
                double f1 = 2.0 * truePositives[c] / (support[c] + predictedCount[c]);
                sum += f1 * support[c];
            }
        }
        return sum / indices.length;
    }
}
