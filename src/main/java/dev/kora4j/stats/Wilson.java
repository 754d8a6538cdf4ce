package dev.kora4j.stats;

/**
 * The Wilson score interval for a binomial proportion, such as an accuracy over a test set (E. B.
 * Wilson, 1927). Unlike the normal-approximation interval it stays inside [0, 1] and is not empty at
 * 0 or all successes. Equal to statsmodels'
 * {@code proportion_confint(count, nobs, alpha=1-confidence, method='wilson')}.
 */
public final class Wilson {
    private Wilson() {}

    /** The interval for {@code successes} out of {@code trials} at the given confidence (e.g. 0.95). */
    public static Interval interval(long successes, long trials, double confidence) {
        if (trials <= 0) {
            throw new IllegalArgumentException("trials must be positive, got " + trials + " (a proportion of nothing has no interval)");
        }
        if (successes < 0 || successes > trials) {
            throw new IllegalArgumentException("successes must be in [0, trials=" + trials + "], got " + successes);
        }
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
        }
        // The same steps as statsmodels, so the rounding matches too: z = norm.isf(alpha/2).
        double alpha = 1 - confidence;
        double z = -Normal.quantile(alpha / 2);
        double n = trials;
        double proportion = successes / n;
        double z2 = z * z;
        double denominator = 1 + z2 / n;
        double center = (proportion + z2 / (2 * n)) / denominator;
        double halfWidth = z * Math.sqrt(proportion * (1 - proportion) / n + z2 / (4 * (n * n))) / denominator;
        // At 0 (or all) successes the bound is exactly 0 (or 1); the formula leaves an ulp of rounding there.
        double lower = successes == 0 ? 0 : Math.max(0, center - halfWidth);
        double upper = successes == trials ? 1 : Math.min(1, center + halfWidth);
        return new Interval(lower, upper);
    }
}
