package dev.kora4j.stats;

/**
 * A closed interval [lower, upper], as confidence intervals are reported. Both bounds are NaN where
 * the interval is undefined (a Student-t interval from one seed).
 */
public record Interval(double lower, double upper) {
    public Interval {
        if (lower > upper) {
            throw new IllegalArgumentException("lower bound " + lower + " is above upper bound " + upper);
        }
        if (Double.isNaN(lower) != Double.isNaN(upper)) {
            throw new IllegalArgumentException("bounds must be both NaN or both numbers, got [" + lower + ", " + upper + "]");
        }
    }

    /** Whether {@code value} lies in [lower, upper]; false for an undefined interval. */
    public boolean contains(double value) {
        return lower <= value && value <= upper;
    }

    /** upper − lower; NaN for an undefined interval. */
    public double width() {
        return upper - lower;
    }
}
