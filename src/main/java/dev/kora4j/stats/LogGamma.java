package dev.kora4j.stats;

/**
 * log Γ(x) for x > 0 by Stirling's series, and the series' remainder on its own. Differences such as
 * log Γ(a) − log Γ(a + 1/2) for a in the hundreds lose digits when each term is formed in full (log
 * Γ(500) ≈ 2605 carries a rounding error near 1e-12, however it is computed); through the remainder
 * they are formed without the large parts that cancel.
 */
final class LogGamma {
    static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
    /** From here up eight terms of the remainder's series reach double precision (next term < 1e-17). */
    private static final double SERIES_FROM = 10;

    // The remainder's asymptotic series Σ B_2k / (2k (2k−1) x^(2k−1)), Bernoulli numbers B_2 .. B_16
    // (Abramowitz & Stegun 6.1.40).
    private static final double[] STIRLING = {
        1.0 / 12, -1.0 / 360, 1.0 / 1260, -1.0 / 1680, 1.0 / 1188, -691.0 / 360360, 1.0 / 156, -3617.0 / 122400};

    private LogGamma() {}

    /** log Γ(x) for x > 0. */
    static double of(double x) {
        if (x >= SERIES_FROM) {
            return (x - 0.5) * Math.log(x) - x + HALF_LOG_TWO_PI + remainder(x);
        }
        // Γ(x) = Γ(x + k) / (x (x+1) ... (x+k−1)), lifting x to where the series holds.
        double product = 1;
        double shifted = x;
        while (shifted < SERIES_FROM) {
            product *= shifted;
            shifted += 1;
        }
        return of(shifted) - Math.log(product);
    }

    /**
     * Stirling's remainder log Γ(x) − [(x − 1/2) log x − x + log √(2π)] for x > 0; at an integer n it
     * is Loader's stirlerr(n) = log n! − log(√(2πn) (n/e)^n).
     */
    static double remainder(double x) {
        if (x >= SERIES_FROM) {
            double inverse = 1 / x;
            double inverseSquare = inverse * inverse;
            double sum = 0;
            for (int k = STIRLING.length - 1; k >= 0; k--) {
                sum = sum * inverseSquare + STIRLING[k];
            }
            return sum * inverse;
        }
        return of(x) - ((x - 0.5) * Math.log(x) - x + HALF_LOG_TWO_PI);
    }

    /** log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b) for a, b > 0, without cancelling large terms. */
    static double logBeta(double a, double b) {
        double small = Math.min(a, b);
        double large = Math.max(a, b);
        if (large < SERIES_FROM) {
            return of(a) + of(b) - of(a + b);
        }
        double sum = a + b;
        // log Γ(large) − log Γ(large + small), from Stirling's form for both with the big terms merged.
        double correction = remainder(large) - remainder(sum);
        if (small < SERIES_FROM) {
            return of(small) - (large - 0.5) * Math.log1p(small / large) - small * Math.log(sum) + small + correction;
        }
        return (a - 0.5) * Math.log(a / sum) + (b - 0.5) * Math.log(b / sum) - 0.5 * Math.log(sum)
                + HALF_LOG_TWO_PI + remainder(small) + correction;
    }
}
