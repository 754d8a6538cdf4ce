package dev.kora4j.stats;

import java.util.Arrays;

/**
 * Percentiles by numpy's default rule ({@code np.percentile(x, q)}, method 'linear', Hyndman & Fan's
 * type 7), computed with numpy's own steps so that the results agree to the bit. For n sorted values
 * x_0 ≤ ... ≤ x_{n−1} and a percent q: h = (n − 1)·(q/100), j = ⌊h⌋, g = h − j; the result is
 * x_{n−1} when h ≥ n − 1, else x_j + (x_{j+1} − x_j)·g when g < 1/2, and x_{j+1} − (x_{j+1} − x_j)·(1 − g)
 * when g ≥ 1/2 (numpy's two-sided lerp, which is exact at both ends).
 */
public final class Percentile {
    private Percentile() {}

    /** The q-th percentile (q in [0, 100]) of {@code values}, in any order; the array is not changed. */
    public static double of(double[] values, double percent) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return ofSorted(sorted, percent);
    }

    /** The q-th percentile (q in [0, 100]) of values already sorted ascending. */
    public static double ofSorted(double[] sorted, double percent) {
        if (!(percent >= 0 && percent <= 100)) {
            throw new IllegalArgumentException("percent must be in [0, 100], got " + percent);
        }
        int n = sorted.length;
        if (n == 0) {
            throw new IllegalArgumentException("the percentile of no values is undefined");
        }
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(sorted[i])) {
                throw new IllegalArgumentException("value at index " + i + " is NaN");
            }
            if (i > 0 && sorted[i - 1] > sorted[i]) {
                throw new IllegalArgumentException("values are not sorted ascending at index " + i);
            }
        }
        double h = (n - 1) * (percent / 100);
        if (h >= n - 1) {
            return sorted[n - 1];
        }
        int j = (int) Math.floor(h);
        double g = h - j;
        double below = sorted[j];
        double above = sorted[j + 1];
        double difference = above - below;
        return g >= 0.5 ? above - difference * (1 - g) : below + difference * g;
    }
}
