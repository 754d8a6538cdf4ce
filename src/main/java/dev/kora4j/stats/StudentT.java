package dev.kora4j.stats;

/**
 * Student's t distribution with an integer number of degrees of freedom: its CDF and quantile
 * function (scipy's t.cdf and t.ppf), for confidence intervals over a few seeds.
 */
public final class StudentT {
    private static final int MAX_ITERATIONS = 200;
    /** The solve stops when a step or the bracket is this small relative to t (a few ulps). */
    private static final double TOLERANCE = 1e-15;

    private StudentT() {}

    /** P(T ≤ t) for T with {@code df} degrees of freedom. */
    public static double cdf(double t, int df) {
        if (Double.isNaN(t)) {
            throw new IllegalArgumentException("t must be a number, got NaN");
        }
        checkDf(df);
        if (t == 0) {
            return 0.5;
        }
        return t < 0 ? upperTail(-t, df) : 1 - upperTail(t, df);
    }

    /**
     * The t with P(T ≤ t) = p (scipy's t.ppf): closed forms for df = 1 and 2, otherwise a bracketed
     * Newton solve on the CDF. Within 1e-14 relative of the exact value for df up to 1000 and p in
     * [1e-6, 1 − 1e-6], near the median too; for df in the tens of thousands the incomplete beta's
     * rounding grows, to about 5e-13 at df = 100,000.
     */
    public static double quantile(double p, int df) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("p must be in (0, 1), got " + p);
        }
        checkDf(df);
        if (p == 0.5) {
            return 0;
        }
        // Solve in the upper tail: P(T > t) = tail with t > 0; 1 − p is exact for p ≥ 0.5.
        double tail = p < 0.5 ? p : 1 - p;
        double t = switch (df) {
            case 1 -> cauchyQuantile(tail);
            case 2 -> (1 - 2 * tail) / Math.sqrt(2 * tail * (1 - tail));
            default -> solveUpperTail(tail, df);
        };
        return p < 0.5 ? -t : t;
    }

    private static void checkDf(int df) {
        if (df < 1) {
            throw new IllegalArgumentException("degrees of freedom must be ≥ 1, got " + df);
        }
    }

    /** The t > 0 with P(T > t) = tail for df = 1 (Cauchy): cot(π·tail), written to stay precise near both ends. */
    private static double cauchyQuantile(double tail) {
        // cot(πq) = 1/tan(πq) for small q; = tan(π(1/2 − q)) near 1/2, where 1/2 − q is exact.
        return tail < 0.25 ? 1 / Math.tan(Math.PI * tail) : Math.tan(Math.PI * (0.5 - tail));
    }

    /**
     * P(T > t) for t ≥ 0: I_x(df/2, 1/2)/2 with x = df/(df + t²). Relatively precise in the tail,
     * where the continued fraction runs on x directly.
     */
    static double upperTail(double t, int df) {
        if (t == Double.POSITIVE_INFINITY) {
            return 0;
        }
        double[] xy = betaArguments(t, df);
        return 0.5 * IncompleteBeta.regularized(0.5 * df, 0.5, xy[0], xy[1]);
    }

    /**
     * P(0 < T ≤ t) = 1/2 − P(T > t) for t ≥ 0: I_y(1/2, df/2)/2 with y = t²/(df + t²). Relatively
     * precise for small t, where 1/2 − P(T > t) would keep only absolute precision.
     */
    static double centralProbability(double t, int df) {
        if (t == Double.POSITIVE_INFINITY) {
            return 0.5;
        }
        double[] xy = betaArguments(t, df);
        return 0.5 * IncompleteBeta.regularized(0.5, 0.5 * df, xy[1], xy[0]);
    }

    /**
     * x = df/(df + t²) and y = t²/(df + t²) = 1 − x, both formed without subtraction (from t²/df or
     * df/t², whichever cannot overflow), so neither a small t nor a large one loses precision.
     */
    private static double[] betaArguments(double t, int df) {
        if (t * t < df) {
            double ratio = t * t / df;
            return new double[] {1 / (1 + ratio), ratio / (1 + ratio)};
        }
        double ratio = df / t / t;
        return new double[] {ratio / (1 + ratio), 1 / (1 + ratio)};
    }

    /** The density of T at t. */
    private static double density(double t, int df) {
        return Math.exp(-0.5 * (df + 1) * Math.log1p(t * t / df) - 0.5 * Math.log(df) - LogGamma.logBeta(0.5 * df, 0.5));
    }

    /**
     * The t > 0 with P(T > t) = tail < 1/2. Newton's method on the logarithm of the probability
     * against log t, which is nearly linear both in the tail (P(T > t) falls like t^−df) and near 0
     * (P(0 < T ≤ t) grows like t), kept inside a bracket that bisection shrinks whenever a Newton step
     * would leave it. Above tail = 1/4 it solves P(0 < T ≤ t) = 1/2 − tail instead (exact there), so
     * that quantiles near the median keep their relative precision.
     */
    private static double solveUpperTail(double tail, int df) {
        boolean central = tail > 0.25;
        double target = central ? 0.5 - tail : tail;
        // The normal quantile is below the t quantile for every df (t has heavier tails): the bracket's low end.
        double low = -Normal.quantile(tail);
        double high = 2 * low;
        while (central ? centralProbability(high, df) < target : upperTail(high, df) > target) {
            low = high;
            high *= 2;
        }
        double t = Math.sqrt(low * high);
        for (int i = 0; i < MAX_ITERATIONS; i++) {
            double probability = central ? centralProbability(t, df) : upperTail(t, df);
            boolean belowRoot = central ? probability < target : probability > target;
            if (belowRoot) {
                low = t;
            } else {
                high = t;
            }
            // |d log P / d log t| = t·f(t)/P for either probability; the step in log t closes the gap.
            double logGap = central ? Math.log(target / probability) : Math.log(probability / target);
            double next = t * Math.exp(logGap * probability / (t * density(t, df)));
            if (Math.abs(next - t) <= TOLERANCE * t) {
                return next;
            }
            if (high - low <= TOLERANCE * t) {
                return t;
            }
            t = next > low && next < high ? next : Math.sqrt(low * high);
        }
        return t;
    }
}
