package dev.kora4j.stats;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Holm's step-down correction for testing several hypotheses at once (S. Holm, 1979): it controls the
 * chance of any false rejection among m tests, and rejects at least as much as Bonferroni. Results
 * equal statsmodels' {@code multipletests(p, alpha, method='holm')}.
 */
public final class Holm {
    private Holm() {}

    /**
     * Holm-adjusted p-values, in the input's order: with the p-values sorted ascending, the i-th
     * (from 0) becomes max over j ≤ i of (m − j)·p_(j), capped at 1. Tied p-values get equal adjusted
     * values, so the order among ties does not matter.
     */
    public static double[] adjust(double[] pValues) {
        Integer[] order = ascending(pValues);
        int m = pValues.length;
        double[] adjusted = new double[m];
        double runningMax = 0;
        for (int i = 0; i < m; i++) {
            runningMax = Math.max(runningMax, pValues[order[i]] * (double) (m - i));
            adjusted[order[i]] = Math.min(runningMax, 1);
        }
        return adjusted;
    }

    /**
     * Which hypotheses are rejected at family-wise level {@code alpha}, in the input's order: walking up
     * the sorted p-values, reject while p_(i) ≤ alpha/(m − i), and stop at the first that is not.
     */
    public static boolean[] reject(double[] pValues, double alpha) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1), got " + alpha);
        }
        Integer[] order = ascending(pValues);
        int m = pValues.length;
        boolean[] rejected = new boolean[m];
        // statsmodels compares p with alpha/(m − i) (not the adjusted p with alpha); the two can differ by rounding.
        for (int i = 0; i < m && pValues[order[i]] <= alpha / (m - i); i++) {
            rejected[order[i]] = true;
        }
        return rejected;
    }

    /** Indices of the p-values in ascending order, after checking that each is a probability. */
    private static Integer[] ascending(double[] pValues) {
        Integer[] order = new Integer[pValues.length];
        for (int i = 0; i < pValues.length; i++) {
            if (!(pValues[i] >= 0 && pValues[i] <= 1)) {
                throw new IllegalArgumentException("p-value at index " + i + " must be in [0, 1], got " + pValues[i]);
            }
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> pValues[i]));
        return order;
    }
}
