package dev.kora4j.metrics;

import java.util.BitSet;

/**
 * How many distinct classes the true labels of an evaluation hold: the seed protocol's check (§5.6–5.7).
 *
 * <p>When every true label is one class c ({@link #collapsed()}), nothing is ever predicted as c
 * wrongly, so precision(c) = 1 and recall(c) = accuracy, and the weighted F1, which is F1(c) alone,
 * equals {@link #identityF1 2·acc/(1+acc)}. Every Tiny ImageNet pair the seed reports satisfies this
 * identity: its "transfer" numbers measure collapse onto class 0. A correct protocol has at least two.
 *
 * @param distinctLabels the number of classes with at least one true sample (0 with no samples)
 * @param label the only class when {@code distinctLabels == 1}, else -1
 */
public record LabelCollapse(int distinctLabels, int label) {
    /** Tolerance of {@link #identityHolds}: the two sides differ only by rounding. */
    public static final double IDENTITY_TOLERANCE = 1e-9;

    public LabelCollapse {
        if (distinctLabels < 0) {
            throw new IllegalArgumentException("distinct labels must be ≥ 0, got " + distinctLabels);
        }
        if ((distinctLabels == 1) != (label >= 0) || label < -1) {
            throw new IllegalArgumentException("label must be the only class when there is one (≥ 0), else -1; got "
                    + label + " with " + distinctLabels + " distinct labels");
        }
    }

    /** The check of a list of true labels. */
    public static LabelCollapse of(int[] trueLabels) {
        BitSet seen = new BitSet();
        for (int i = 0; i < trueLabels.length; i++) {
            if (trueLabels[i] < 0) {
                throw new IllegalArgumentException("true label " + trueLabels[i] + " at index " + i + " is negative");
            }
            seen.set(trueLabels[i]);
        }
        int distinct = seen.cardinality();
        return new LabelCollapse(distinct, distinct == 1 ? seen.nextSetBit(0) : -1);
    }

    /** True when every true label is the same class. */
    public boolean collapsed() {
        return distinctLabels == 1;
    }

    /** 2·acc/(1+acc): the weighted F1 that any predictions get when every true label is one class. */
    public static double identityF1(double accuracy) {
        return 2 * accuracy / (1 + accuracy);
    }

    /** Whether {@code f1} equals {@link #identityF1(double) 2·acc/(1+acc)} up to rounding. */
    public static boolean identityHolds(double accuracy, double f1) {
        return Math.abs(f1 - identityF1(accuracy)) <= IDENTITY_TOLERANCE;
    }
}
