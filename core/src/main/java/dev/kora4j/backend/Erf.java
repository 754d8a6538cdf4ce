package dev.kora4j.backend;

/** The error function and its complement in double precision (Java has neither), for the reference GELU. */
public final class Erf {
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    private static final double INV_SQRT_PI = 1 / Math.sqrt(Math.PI);

    private Erf() {}

    /**
     * erf(x) = 2/√π · e^(−x²) · Σ_n 2ⁿ x^(2n+1) / (1·3·5···(2n+1)): every term is positive, so the
     * series loses no precision to cancellation; beyond |x| = 6, erf(x) = ±1 in double.
     */
    public static double erf(double x) {
        double ax = Math.abs(x);
        if (ax >= 6) {
            return Math.signum(x);
        }
        double term = ax;
        double sum = ax;
        double x2 = ax * ax;
        for (int n = 1; n < 200 && term > sum * 1e-17; n++) {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
        }
        return Math.copySign(TWO_OVER_SQRT_PI * Math.exp(-x2) * sum, x);
    }

    /**
     * erfc(z) = 1 − erf(z), keeping full relative precision where it is tiny: for z ≥ 2 from the
     * continued fraction e^(−z²)/√π · 1/(z + ½/(z + 1/(z + 3⁄2/(z + ...)))), evaluated bottom-up.
     */
    public static double erfc(double z) {
        if (z < 2) {
            return 1 - erf(z);
        }
        double f = z;
        for (int n = 120; n >= 1; n--) {
            f = z + (n / 2.0) / f;
        }
        return INV_SQRT_PI * Math.exp(-z * z) / f;
    }

    /** 1 + erf(x), without cancellation for negative x. */
    public static double onePlusErf(double x) {
        return x < 0 ? erfc(-x) : 1 + erf(x);
    }
}
