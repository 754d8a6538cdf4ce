package dev.kora4j.stats;

/**
 * McNemar's exact test: do two methods, scored right or wrong on the same test items, differ in
 * accuracy? Only the discordant items count: b where A is right and B wrong, c the other way. Under
 * the null hypothesis each discordant item falls either way with probability 1/2, so the two-sided
 * p-value is min(1, 2·P(X ≤ min(b, c))) with X ~ Binomial(b + c, 1/2), as statsmodels'
 * {@code mcnemar(table, exact=True)} and scipy's {@code binomtest(min(b, c), b + c, 0.5)} give it.
 */
public final class McNemar {
    /**
     * @param b items that A got right and B got wrong
     * @param c items that A got wrong and B got right
     * @param pValue the exact two-sided p-value; 1 when b + c = 0
     */
    public record Result(long b, long c, double pValue) {}

    private McNemar() {}

    /** The test on per-item correctness of methods A and B (index i is the same test item in both). */
    public static Result test(boolean[] correctA, boolean[] correctB) {
        if (correctA.length != correctB.length) {
            throw new IllegalArgumentException("correctA has " + correctA.length + " items but correctB has " + correctB.length);
        }
        long b = 0;
        long c = 0;
        for (int i = 0; i < correctA.length; i++) {
            if (correctA[i] && !correctB[i]) {
                b++;
            } else if (!correctA[i] && correctB[i]) {
                c++;
            }
        }
        return new Result(b, c, pValue(b, c));
    }

    /** The exact two-sided p-value from the discordant counts b and c. */
    public static double pValue(long b, long c) {
        if (b < 0 || c < 0) {
            throw new IllegalArgumentException("discordant counts must be ≥ 0, got b=" + b + ", c=" + c);
        }
        long n = b + c;
        if (n == 0) {
            return 1;
        }
        return Math.min(1, 2 * Binomial.cdf(Math.min(b, c), n, 0.5));
    }
}
