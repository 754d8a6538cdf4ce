package dev.kora4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;
import java.util.Locale;

/** Tensor comparisons for tests. */
public final class Asserts {
    private Asserts() {}

    /** Same shape and |actual − expected| ≤ atol + rtol·|expected| everywhere. */
    public static void assertClose(String what, Tensor expected, Tensor actual, double rtol, double atol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shapes differ: expected " + Shape.format(expected.shape())
                + ", got " + Shape.format(actual.shape()));
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            boolean bothNaN = Double.isNaN(e[i]) && Double.isNaN(a[i]);
            if (!bothNaN && !(Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i])) && !(e[i] == a[i])) {
                fail(String.format(Locale.ROOT, "%s: element %d of shape %s: expected %.9g, got %.9g", what, i,
                        Shape.format(expected.shape()), e[i], a[i]));
            }
        }
    }

    /**
     * For results that sum many terms (products, reductions): elementwise within rtol, with the
     * absolute slack scaled by the largest expected magnitude, and ‖Δ‖/‖expected‖ ≤ rtol.
     */
    public static void assertCloseScaled(String what, Tensor expected, Tensor actual, double rtol) {
        double maxAbs = 0, diff2 = 0, ref2 = 0;
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(e[i]));
            ref2 += e[i] * e[i];
            diff2 += (i < a.length ? (a[i] - e[i]) * (a[i] - e[i]) : 0);
        }
        assertClose(what, expected, actual, rtol, rtol * Math.max(1e-1, maxAbs) * 0.1);
        if (ref2 > 0 && Math.sqrt(diff2 / ref2) > rtol) {
            fail(String.format(Locale.ROOT, "%s: relative norm of the difference %.3g exceeds %.3g", what, Math.sqrt(diff2 / ref2), rtol));
        }
    }

    /** Identical bits, element by element. */
    public static void assertSameBits(String what, Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shapes differ");
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(a[i])) {
                fail(String.format(Locale.ROOT, "%s: element %d differs: %s vs %s", what, i, e[i], a[i]));
            }
        }
    }
}
