package dev.kora4j.stats;

/** The standard normal distribution: its CDF and its quantile function (scipy's norm.cdf and norm.ppf). */
public final class Normal {
    private static final double SQRT_HALF = Math.sqrt(0.5);
    private static final double SQRT_TWO_PI = Math.sqrt(2 * Math.PI);
    private static final double SQRT_HALF_PI = Math.sqrt(0.5 * Math.PI);

    // P. J. Acklam, "An algorithm for computing the inverse normal cumulative distribution function"
    // (2003): rational approximations with relative error below 1.15e-9, central region and tails.
    private static final double[] A = {
        -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
        1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
    private static final double[] B = {
        -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
        6.680131188771972e+01, -1.328068155288572e+01};
    private static final double[] C = {
        -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
        -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
    private static final double[] D = {
        7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
    private static final double TAIL = 0.02425;

    private Normal() {}

    /** P(Z ≤ x) for a standard normal Z; the lower tail keeps its relative precision far out. */
    public static double cdf(double x) {
        if (Double.isNaN(x)) {
            throw new IllegalArgumentException("x must be a number, got NaN");
        }
        return 0.5 * ErrorFunction.erfc(-x * SQRT_HALF);
    }

    /**
     * The x with P(Z ≤ x) = p, to about 1e-15 relative (scipy's norm.ppf): Acklam's approximation,
     * then one Halley step on the CDF, which triples the number of correct digits.
     */
    public static double quantile(double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("p must be in (0, 1), got " + p);
        }
        if (p == 0.5) {
            return 0;
        }
        // 1 − p is exact for p ≥ 0.5, so the upper half is the mirror of the lower half.
        return p < 0.5 ? lowerQuantile(p) : -lowerQuantile(1 - p);
    }

    /** The quantile for p < 0.5 (a negative x). */
    private static double lowerQuantile(double p) {
        double x = acklam(p);
        // Halley's step for Φ(x) − p = 0 needs u = (Φ(x) − p)/φ(x) (Acklam's refinement).
        double y = -x * SQRT_HALF; // Φ(x) = erfc(y)/2, y > 0
        double u;
        if (y < 0.5) {
            // Near the median Φ(x) − p = (1/2 − p) − erf(y)/2, both parts exact or relatively precise;
            // forming Φ(x) = (1 − erf(y))/2 first would leave an absolute error of 1e-17, which is large
            // relative to x when x is near 0.
            double difference = (0.5 - p) - 0.5 * ErrorFunction.erfSmall(y);
            u = difference * SQRT_TWO_PI * Math.exp(0.5 * x * x);
        } else {
            // In the tail, u = (Φ/φ)·(1 − p/Φ) with Φ/φ = √(π/2)·exp(y²)·erfc(y), which cannot overflow.
            double scaled = ErrorFunction.erfcScaled(y);
            double phi = 0.5 * ErrorFunction.expMinusSquare(y) * scaled;
            u = SQRT_HALF_PI * scaled * (1 - p / phi);
        }
        return x - u / (1 + 0.5 * x * u);
    }

    private static double acklam(double p) {
        if (p < TAIL) {
            double q = Math.sqrt(-2 * Math.log(p));
            return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
                    / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
        }
        double q = p - 0.5;
        double r = q * q;
        return (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
                / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
    }
}
