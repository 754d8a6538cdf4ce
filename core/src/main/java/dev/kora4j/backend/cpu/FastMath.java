package dev.kora4j.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp, erfc and GELU in float, each written twice with the same operations in the same order:
 * once for a vector of lanes and once for a scalar (the loop tails). Only +, ×, fma, division and
 * bit moves are used, whose results the JVM defines exactly, so the bits do not depend on whether
 * code runs interpreted, compiled, vectorised or in a tail. (The Vector API's own EXP may differ
 * between its compiled and interpreted forms.)
 */
final class FastMath {
    private static final VectorSpecies<Float> S = Simd.F32;

    private FastMath() {}

    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split so that n·LN2_HI is exact for the n that occur (Cody–Waite reduction). */
    private static final float LN2_HI = 0.693145751953125f;
    private static final float LN2_LO = 1.42860682030941723212e-6f;
    /** 1.5·2²³: adding and subtracting it rounds a float to the nearest integer. */
    private static final float ROUNDER = 12582912f;
    /** ROUNDER's bits: those of ROUNDER + n, for an integer n, are these plus n. */
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);
    /** Beyond these, exp is 0 or ∞ in float; clamping keeps the exponent arithmetic in range. */
    private static final float EXP_MIN = -104f;
    private static final float EXP_MAX = 89f;
    // 1/k! for the Taylor polynomial of e^r on |r| ≤ ln2/2 (error below 6e-9)
    private static final float C2 = 1f / 2, C3 = 1f / 6, C4 = 1f / 24, C5 = 1f / 120, C6 = 1f / 720, C7 = 1f / 5040;

    static final float SQRT1_2 = 0.70710678118654752f;
    static final float INV_SQRT_2PI = 0.39894228040143268f;

    // ---- exp ---------------------------------------------------------------------------------

    static float exp(float x) {
        float xc = x < EXP_MIN ? EXP_MIN : x > EXP_MAX ? EXP_MAX : x;
        float rounded = Math.fma(xc, LOG2E, ROUNDER);
        float n = rounded - ROUNDER;
        float r = Math.fma(n, -LN2_HI, xc);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(C7, r, C6);
        p = Math.fma(p, r, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        int ni = Float.floatToRawIntBits(rounded) - ROUNDER_BITS;
        int half = ni >> 1;
        // 2^n as two factors, so that n down to −150 and up to 128 stays representable
        float s1 = Float.intBitsToFloat((half + 127) << 23);
        float s2 = Float.intBitsToFloat((ni - half + 127) << 23);
        return p * s1 * s2;
    }

    /**
     * The clamp is a compare and a blend rather than max and min, whose NaN rules cost the JIT
     * several instructions each; n's integer is read from the bits of the rounded sum instead of a
     * conversion (which checks for NaN and overflow). A NaN passes the clamp and stays NaN through p.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.blend(EXP_MIN, x.lt(EXP_MIN)).blend(EXP_MAX, x.compare(VectorOperators.GT, EXP_MAX));
        FloatVector rounded = xc.fma(LOG2E, ROUNDER);
        FloatVector n = rounded.sub(ROUNDER);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = r.fma(FloatVector.broadcast(S, C7), FloatVector.broadcast(S, C6));
        p = p.fma(r, FloatVector.broadcast(S, C5));
        p = p.fma(r, FloatVector.broadcast(S, C4));
        p = p.fma(r, FloatVector.broadcast(S, C3));
        p = p.fma(r, FloatVector.broadcast(S, C2));
        p = p.fma(r, FloatVector.broadcast(S, 1f));
        p = p.fma(r, FloatVector.broadcast(S, 1f));
        IntVector ni = rounded.reinterpretAsInts().sub(ROUNDER_BITS);
        IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
        FloatVector s1 = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = ni.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(s1).mul(s2);
    }

    // ---- erfc for z ≥ 0 ----------------------------------------------------------------------
    // erfc(z) ≈ t·exp(−z² + P(t)), t = 1/(1 + z/2): a Chebyshev fit with relative error below
    // 1.2e-7 for every z ≥ 0, so both tails of GELU keep full float precision.

    private static final float[] ERFC = {
        -1.26551223f, 1.00002368f, 0.37409196f, 0.09678418f, -0.18628806f,
        0.27886807f, -1.13520398f, 1.48851587f, -0.82215223f, 0.17087277f};

    static float erfc(float z) {
        float t = 1f / Math.fma(0.5f, z, 1f);
        float p = ERFC[9];
        for (int i = 8; i >= 0; i--) {
            p = Math.fma(p, t, ERFC[i]);
        }
        return t * exp(Math.fma(-z, z, p));
    }

    static FloatVector erfc(FloatVector z) {
        FloatVector t = FloatVector.broadcast(S, 1f).div(z.fma(0.5f, 1f));
        FloatVector p = FloatVector.broadcast(S, ERFC[9]);
        for (int i = 8; i >= 0; i--) {
            p = p.fma(t, FloatVector.broadcast(S, ERFC[i]));
        }
        return t.mul(exp(z.neg().fma(z, p)));
    }

    // ---- GELU (exact form) -------------------------------------------------------------------
    // 1 + erf(x/√2) = erfc(|x|/√2) for x < 0 and 2 − erfc(x/√2) for x ≥ 0.

    static float onePlusErf(float x) {
        float q = erfc(Math.abs(x) * SQRT1_2);
        return x < 0 ? q : 2f - q;
    }

    static FloatVector onePlusErf(FloatVector x) {
        FloatVector q = erfc(x.abs().mul(SQRT1_2));
        return q.neg().add(2f).blend(q, x.lt(0f));
    }

    static float gelu(float x) {
        return 0.5f * x * onePlusErf(x);
    }

    static FloatVector gelu(FloatVector x) {
        return x.mul(0.5f).mul(onePlusErf(x));
    }

    /** GELU'(x) = ½(1 + erf(x/√2)) + x·φ(x). */
    static float geluDerivative(float x) {
        return Math.fma(x * INV_SQRT_2PI, exp(-0.5f * x * x), 0.5f * onePlusErf(x));
    }

    static FloatVector geluDerivative(FloatVector x) {
        FloatVector pdf = exp(x.mul(-0.5f).mul(x));
        return x.mul(INV_SQRT_2PI).fma(pdf, onePlusErf(x).mul(0.5f));
    }

    /**
     * GELU' from x and y = GELU(x), which backward has at hand: ½(1 + erf(x/√2)) = y/x, so only the
     * density's exp remains (near 0, where y/x loses precision, its expansion ½ + x/√(2π) serves).
     */
    static float geluDerivative(float x, float y) {
        float cdf = Math.abs(x) > CDF_FROM_RATIO ? y / x : Math.fma(x, INV_SQRT_2PI, 0.5f);
        return Math.fma(x * INV_SQRT_2PI, exp(-0.5f * x * x), cdf);
    }

    static FloatVector geluDerivative(FloatVector x, FloatVector y) {
        FloatVector cdf = y.div(x).blend(x.fma(INV_SQRT_2PI, 0.5f), x.abs().compare(VectorOperators.LE, CDF_FROM_RATIO));
        return x.mul(INV_SQRT_2PI).fma(exp(x.mul(-0.5f).mul(x)), cdf);
    }

    /** Below this |x|, Φ(x) = ½ + x/√(2π) + O(x³) is closer than y/x. */
    private static final float CDF_FROM_RATIO = 1e-2f;
}
