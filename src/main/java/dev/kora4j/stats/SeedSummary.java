package dev.kora4j.stats;

/**
 * A number measured once per seed (an accuracy, a loss), summarised as mean, sample standard deviation
 * and the Student-t confidence interval mean ± t_{(1+confidence)/2, n−1}·std/√n, which is what scipy's
 * {@code t.interval(confidence, n-1, loc=mean, scale=std/sqrt(n))} gives. With one seed the spread is
 * unknown, so std and the interval are NaN; with none the mean is NaN too.
 *
 * @param n the number of seeds
 * @param mean the mean over seeds
 * @param std the sample standard deviation (divisor n − 1)
 * @param interval the Student-t interval for the mean
 */
public record SeedSummary(int n, double mean, double std, Interval interval) {
    private static final Interval UNDEFINED = new Interval(Double.NaN, Double.NaN);

    /** The summary of one value per seed. */
    public static SeedSummary of(double[] values, double confidence) {
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
        }
        int n = values.length;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException("value at index " + i + " must be finite, got " + values[i]);
            }
            sum += values[i];
        }
        if (n == 0) {
            return new SeedSummary(0, Double.NaN, Double.NaN, UNDEFINED);
        }
        double mean = sum / n;
        if (n == 1) {
            return new SeedSummary(1, mean, Double.NaN, UNDEFINED);
        }
        // Two passes: squares of deviations from the mean, not E[x²] − mean², which cancels.
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        double std = Math.sqrt(squares / (n - 1));
        double halfWidth = StudentT.quantile((1 + confidence) / 2, n - 1) * std / Math.sqrt(n);
        return new SeedSummary(n, mean, std, new Interval(mean - halfWidth, mean + halfWidth));
    }

    /**
     * The summary of the per-seed differences a[i] − b[i] of two methods run with the same seeds: a
     * paired comparison, whose interval excludes 0 when one method is reliably ahead.
     */
    public static SeedSummary paired(double[] a, double[] b, double confidence) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("paired summaries need one value per seed in both: a has "
                    + a.length + " values but b has " + b.length);
        }
        double[] differences = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            if (!Double.isFinite(a[i]) || !Double.isFinite(b[i])) {
                throw new IllegalArgumentException("values at index " + i + " must be finite, got a=" + a[i] + ", b=" + b[i]);
            }
            differences[i] = a[i] - b[i];
        }
        return of(differences, confidence);
    }
}
