package dev.kora4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;
import java.util.Locale;

/** Tensor comparisons for tests. */
public final class Asserts {
    private Asserts() {}

    /** Same shape and, element by element, within {@code tolerance} (numpy's rule); NaN matches NaN. */
    public static void assertClose(String what, Tensor expected, Tensor actual, Tolerance tolerance) {
        double[] e = expected.toDoubleArray();
        assertClose(what, expected, e, actual, tolerance.rtol(), tolerance.atolFor(e));
    }

    /** Same shape and |actual − expected| ≤ atol + rtol·|expected| everywhere; the message names the worst element. */
    public static void assertClose(String what, Tensor expected, Tensor actual, double rtol, double atol) {
        assertClose(what, expected, expected.toDoubleArray(), actual, rtol, atol);
    }

    private static void assertClose(String what, Tensor expected, double[] e, Tensor actual, double rtol, double atol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + ": shapes differ: expected " + Shape.format(expected.shape())
                + ", got " + Shape.format(actual.shape()));
        double[] a = actual.toDoubleArray();
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < e.length; i++) {
            if ((Double.isNaN(e[i]) && Double.isNaN(a[i])) || e[i] == a[i]) {
                continue;
            }
            double excess = Math.abs(a[i] - e[i]) / (atol + rtol * Math.abs(e[i]));
            if (Double.isNaN(excess) || excess > worstExcess) {
                worst = i;
                worstExcess = excess;
                if (Double.isNaN(excess)) {
                    break; // NaN against a number: nothing is worse
                }
            }
        }
        if (worst >= 0 && !(worstExcess <= 1)) {
            fail(String.format(Locale.ROOT, "%s: element %d of shape %s: expected %.9g, got %.9g (|difference| is %.3g times atol %.1g + rtol %.1g·|expected|)",
                    what, worst, Shape.format(expected.shape()), e[worst], a[worst], worstExcess, atol, rtol));
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
