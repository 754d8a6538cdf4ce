package dev.kora4j;

/**
 * How far a float32 result may be from its expected value, element by element, by numpy's rule:
 * {@code |actual − expected| ≤ atol + rtol·|expected|}. One family per kind of computation, for
 * inputs of order 1 (every test draws them from about [-2, 2]), a few times what float32 achieves.
 *
 * <p>A sum's rounding error grows with the size of its terms, not of its result (which cancellation
 * can make as small as it likes), so for sums atol is in units of the result's root mean square,
 * the scale of a sum of terms of random sign, and never less than atol itself. (float32 sums of K such
 * terms drift by about 6e-8·√K of that scale: 2e-6 for K = 768, the widest the tests use.)
 */
public record Tolerance(double rtol, double atol, boolean atolScalesWithResult) {
    /** The same bits (a copy, a file round trip, the same kernel run twice). */
    public static final Tolerance EXACT = new Tolerance(0, 0, false);
    /** One operation per element done two ways (vector or scalar maths, FMA or not): a few ulps. */
    public static final Tolerance POINTWISE = new Tolerance(4e-6, 1e-6, false);
    /** Sums of up to a few thousand terms (products, reductions, norms) added in different orders. */
    public static final Tolerance SUMS = new Tolerance(2e-5, 1e-5, true);
    /** Several sums in a chain (an op's backward, attention, a whole model's forward and gradients). */
    public static final Tolerance CHAINS = new Tolerance(1e-4, 5e-5, true);

    /** The absolute slack for this expected result. */
    double atolFor(double[] expected) {
        if (!atolScalesWithResult || expected.length == 0) {
            return atol;
        }
        double squares = 0;
        for (double e : expected) {
            squares += Double.isFinite(e) ? e * e : 0;
        }
        return atol * Math.max(1, Math.sqrt(squares / expected.length));
    }
}
