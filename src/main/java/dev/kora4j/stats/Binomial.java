package dev.kora4j.stats;

/**
 * Binomial probabilities that stay precise for n in the hundreds of thousands, where C(n, k) overflows
 * and p^k q^(n−k) underflows. The probability of one count follows C. Loader, "Fast and accurate
 * computation of binomial probabilities" (2000): Stirling remainders and a deviance term bd0 that is
 * summed as a series near the mean, so no two large logarithms are subtracted. Tails are summed from
 * their end nearest the mean outwards, each term from the last by the ratio of neighbouring
 * probabilities.
 */
public final class Binomial {
    /** A tail sum stops once its terms fall below this fraction of the sum. */
    private static final double NEGLIGIBLE = 1e-20;

    private Binomial() {}

    /** P(X = k) for X ~ Binomial(n, p). */
    public static double pmf(long k, long n, double p) {
        check(n, p);
        if (k < 0 || k > n) {
            return 0;
        }
        return probability(k, n, p);
    }

    /** P(X ≤ k) for X ~ Binomial(n, p) (scipy's binom.cdf); relatively precise when k is below the mean. */
    public static double cdf(long k, long n, double p) {
        check(n, p);
        if (k < 0) {
            return 0;
        }
        if (k >= n) {
            return 1;
        }
        double q = 1 - p;
        if (k < (n + 1) * p) {
            // Below the mode the probabilities shrink going down: P(j−1)/P(j) = j q / ((n−j+1) p).
            double term = probability(k, n, p);
            double sum = term;
            for (long j = k; j > 0 && term > NEGLIGIBLE * sum; j--) {
                term *= j * q / ((n - j + 1) * p);
                sum += term;
            }
            return sum;
        }
        // At or above the mode sum the other tail, which shrinks going up: P(j+1)/P(j) = (n−j) p / ((j+1) q).
        double term = probability(k + 1, n, p);
        double upper = term;
        for (long j = k + 1; j < n && term > NEGLIGIBLE * upper; j++) {
            term *= (n - j) * p / ((j + 1) * q);
            upper += term;
        }
        return 1 - upper;
    }

    private static void check(long n, double p) {
        if (n < 0) {
            throw new IllegalArgumentException("number of trials must be ≥ 0, got " + n);
        }
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("success probability must be in [0, 1], got " + p);
        }
    }

    /** P(X = k) for 0 ≤ k ≤ n. */
    private static double probability(long k, long n, double p) {
        double q = 1 - p;
        if (k == 0) {
            // q^n: pow is within an ulp when q is exact (p ≥ 1/4); for small p, log1p keeps p's digits.
            return p < 0.25 ? Math.exp(n * Math.log1p(-p)) : Math.pow(q, n);
        }
        if (k == n) {
            return Math.pow(p, n);
        }
        if (p == 0 || p == 1) {
            return 0;
        }
        long rest = n - k;
        double exponent = LogGamma.remainder(n) - LogGamma.remainder(k) - LogGamma.remainder(rest)
                - deviance(k, n * p) - deviance(rest, n * q);
        return Math.exp(exponent) * Math.sqrt(n / (2 * Math.PI * k * rest));
    }

    /**
     * Loader's bd0(x, m) = x log(x/m) + m − x, the deviance of a count x from a mean m. Near the mean
     * its two parts nearly cancel, so there it is the series (x−m)·v + Σ_{j≥1} 2x·v^(2j+1)/(2j+1)
     * with v = (x−m)/(x+m), whose terms are all positive.
     */
    private static double deviance(double x, double m) {
        if (Math.abs(x - m) < 0.1 * (x + m)) {
            double v = (x - m) / (x + m);
            double sum = (x - m) * v;
            double power = 2 * x * v;
            double vSquare = v * v;
            for (int j = 1; ; j++) {
                power *= vSquare;
                double next = sum + power / (2 * j + 1);
                if (next == sum) {
                    return next;
                }
                sum = next;
            }
        }
        return x * Math.log(x / m) + m - x;
    }
}
