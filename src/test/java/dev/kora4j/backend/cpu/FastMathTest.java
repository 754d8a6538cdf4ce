package dev.kora4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.backend.Erf;
import dev.kora4j.backend.UnaryOp;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class FastMathTest {
    /** Largest relative error of f against the double reference over [lo, hi]. */
    private static double maxRelativeError(UnaryOperator<Float> f, DoubleUnaryOperator reference, double lo, double hi, double floor) {
        double worst = 0;
        for (int i = 0; i <= 200_000; i++) {
            float x = (float) (lo + (hi - lo) * i / 200_000);
            double want = reference.applyAsDouble(x);
            double got = f.apply(x);
            worst = Math.max(worst, Math.abs(got - want) / Math.max(Math.abs(want), floor));
        }
        return worst;
    }

    private static void assertBelow(double limit, double error, String what) {
        assertTrue(error < limit, what + ": max relative error " + error + " is not below " + limit);
    }

    @Test
    void expIsAccurateToAFewUlps() {
        assertBelow(3e-7, maxRelativeError(FastMath::exp, Math::exp, -87, 88, 0), "exp");
        assertEquals(0f, FastMath.exp(-200f));
        assertEquals(Float.POSITIVE_INFINITY, FastMath.exp(100f));
        assertTrue(Float.isNaN(FastMath.exp(Float.NaN)));
        assertEquals(1f, FastMath.exp(0f));
        assertEquals(Math.exp(-95), FastMath.exp(-95f), 1e-44); // subnormal results survive
    }

    @Test
    void expOfANonPositiveArgumentIsAccurateDownToTheSmallestNormalScale() {
        assertBelow(3e-7, maxRelativeError(FastMath::expNonPositive, Math::exp, -87.6, 0, 0), "exp on [-87.6, 0]");
        assertEquals(1f, FastMath.expNonPositive(0f));
    }

    @Test
    void flushedExpIsExpDownToTheSmallestNormalResultAndZeroBelow() {
        assertBelow(3e-7, maxRelativeError(FastMath::expFlushed, Math::exp, -87.3, 0, 0), "flushed exp on [-87.3, 0]");
        for (float x : new float[] {-87.31f, -100f, -1e30f, Float.NEGATIVE_INFINITY}) {
            assertEquals(0f, FastMath.expFlushed(x), 0f, "exp(" + x + ")");
        }
        assertTrue(Float.isNaN(FastMath.expFlushed(Float.NaN)));
        assertEquals(1f, FastMath.expFlushed(-0f));
    }

    @Test
    void geluIsZeroWhereItIsBelowTheSmallestNormalFloatAndStaysSo() {
        // erfc is taken as 0 past |x| = 9.3·√2: GELU's magnitude there is below 2e-38, and a floor
        // kept instead of 0 would grow with |x| (−1e30 · 1e-39 is not small next to −1e30's GELU, 0)
        for (float x : new float[] {-13.2f, -20f, -1e4f, -1e30f, -Float.MAX_VALUE}) {
            assertEquals(0f, FastMath.gelu(x), 0f, "gelu(" + x + ")");
        }
        assertEquals(0f, FastMath.erfc(9.31f));
        assertEquals(Erf.erfc(9.25), FastMath.erfc(9.25f), 1e-3 * Erf.erfc(9.25));
        assertEquals(-10 * 0.5 * Erf.erfc(10 / Math.sqrt(2)), FastMath.gelu(-10f), 1e-5 * 0.5 * 10 * Erf.erfc(10 / Math.sqrt(2)));
    }

    @Test
    void erfcIsAccurateInBothTails() {
        assertBelow(1e-6, maxRelativeError(FastMath::erfc, Erf::erfc, 0, 3, 0), "erfc on [0, 3]");
        assertBelow(1e-5, maxRelativeError(FastMath::erfc, Erf::erfc, 3, 9, 0), "erfc on [3, 9]");
    }

    @Test
    void geluAndItsDerivativeMatchTheReference() {
        assertBelow(1e-5, maxRelativeError(FastMath::gelu, x -> UnaryOp.GELU.apply(x, 0), -10, 10, 1e-30), "gelu");
        assertBelow(1e-5, maxRelativeError(FastMath::geluDerivative, x -> UnaryOp.GELU.derivative(x, 0, 0), -10, 10, 1e-2), "gelu'");
        // (GELU' crosses zero near x = −0.75, where float rounding of its ~0.5-sized terms dominates: hence the floor)
        assertBelow(1e-5, maxRelativeError(x -> FastMath.geluDerivative(x, FastMath.gelu(x)), x -> UnaryOp.GELU.derivative(x, 0, 0),
                -10, 10, 1e-2), "gelu' from x and y");
    }

    @Test
    void referenceErfIsExact() {
        assertEquals(0.8427007929497149, Erf.erf(1), 1e-15);
        assertEquals(-0.9953222650189527, Erf.erf(-2), 1e-15);
        assertEquals(0.0, Erf.erf(0));
        assertEquals(1.0, Erf.erf(7));
        assertEquals(0.004677734981047266, Erf.erfc(2), 1e-17);
        assertEquals(1.5374597944280349e-12, Erf.erfc(5), 1e-25);
        assertEquals(Erf.erfc(2 - 1e-12), Erf.erfc(2), 1e-13); // the two methods meet without a jump
    }

    @Test
    void vectorAndScalarFormsGiveTheSameBits() {
        float[] xs = new float[Simd.LANES * 65];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = -12f + 24f * i / xs.length;
        }
        // the clamp's edges and the special values, in the last vector
        float[] special = {Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -200f, -104.5f, -104f, -95f, 88.7f, 89f, 100f,
            0f, -0f, Float.MIN_VALUE, -Float.MAX_VALUE, Float.MAX_VALUE, 1e-30f};
        System.arraycopy(special, 0, xs, xs.length - Simd.LANES, Math.min(special.length, Simd.LANES));
        for (int i = 0; i < xs.length; i += Simd.LANES) {
            FloatVector v = FloatVector.fromArray(Simd.F32, xs, i);
            float[] exp = FastMath.exp(v).toArray(), gelu = FastMath.gelu(v).toArray(), dgelu = FastMath.geluDerivative(v).toArray();
            float[] dgeluXy = FastMath.geluDerivative(v, FastMath.gelu(v)).toArray();
            float[] flushed = FastMath.expFlushed(v.abs().neg()).toArray();
            for (int lane = 0; lane < Simd.LANES; lane++) {
                float x = xs[i + lane];
                assertEquals(Float.floatToIntBits(FastMath.exp(x)), Float.floatToIntBits(exp[lane]), "exp " + x);
                assertEquals(Float.floatToIntBits(FastMath.gelu(x)), Float.floatToIntBits(gelu[lane]), "gelu " + x);
                assertEquals(Float.floatToIntBits(FastMath.expFlushed(-Math.abs(x))), Float.floatToIntBits(flushed[lane]), "flushed exp " + x);
                assertEquals(Float.floatToIntBits(FastMath.geluDerivative(x)), Float.floatToIntBits(dgelu[lane]), "gelu' " + x);
                assertEquals(Float.floatToIntBits(FastMath.geluDerivative(x, FastMath.gelu(x))), Float.floatToIntBits(dgeluXy[lane]), "gelu'(x, y) " + x);
            }
        }
    }
}
