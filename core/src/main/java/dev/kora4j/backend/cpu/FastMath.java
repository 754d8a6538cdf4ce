package dev.kora4j.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
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

    // ---- e^a for GELU's a in [-87.6, 0] -------------------------------------------------------
    // There 2ⁿ is a normal float, so one scale factor serves and no clamp is needed; the polynomial
    // is Estrin's form, whose shorter chain of dependent fmas matters inside GELU's long one.

    static float expNonPositive(float a) {
        float rounded = Math.fma(a, LOG2E, ROUNDER);
        float n = rounded - ROUNDER;
        float r = Math.fma(n, -LN2_HI, a);
        r = Math.fma(n, -LN2_LO, r);
        float r2 = r * r;
        float c23 = Math.fma(r, C3, C2), c45 = Math.fma(r, C5, C4), c67 = Math.fma(r, C7, C6);
        float r4 = r2 * r2;
        float q = Math.fma(c45, r2, c23);
        q = Math.fma(c67, r4, q);
        float p = Math.fma(q, r2, r + 1f);
        return p * Float.intBitsToFloat((Float.floatToRawIntBits(rounded) + (127 - ROUNDER_BITS)) << 23);
    }

    static FloatVector expNonPositive(FloatVector a) {
        FloatVector rounded = a.fma(LOG2E, ROUNDER);
        FloatVector n = rounded.sub(ROUNDER);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), a);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector r2 = r.mul(r);
        FloatVector c23 = r.fma(C3, C2), c45 = r.fma(C5, C4), c67 = r.fma(C7, C6);
        FloatVector r4 = r2.mul(r2);
        FloatVector q = c45.fma(r2, c23);
        q = c67.fma(r4, q);
        FloatVector p = q.fma(r2, r.add(1f));
        return p.mul(rounded.reinterpretAsInts().add(127 - ROUNDER_BITS).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
    }

    // ---- e^a for a ≤ 0, as softmax needs it --------------------------------------------------
    // Below EXP_NORMAL_MIN e^a is subnormal (under 1.2e-38) and is taken as 0: softmax's sum holds
    // its row's largest term, 1, so no probability moves by more than that. What is left is
    // expNonPositive's range.

    private static final float EXP_NORMAL_MIN = -87.3f;

    static float expFlushed(float a) {
        return a < EXP_NORMAL_MIN ? 0f : expNonPositive(a);
    }

    static FloatVector expFlushed(FloatVector a) {
        VectorMask<Float> under = a.lt(EXP_NORMAL_MIN);
        return expNonPositive(a.blend(0f, under)).blend(0f, under);
    }

    // ---- erfc for z ≥ 0 ----------------------------------------------------------------------
    // erfc(z) ≈ t·exp(−z² + P(t)), t = 1/(1 + z/2): a Chebyshev fit with relative error below
    // 1.2e-7 for every z ≥ 0, so both tails of GELU keep full float precision. Beyond Z_MAX erfc is
    // below 2e-39 (GELU below 2e-38 in magnitude) and is taken as 0, which keeps the exponent in
    // expNonPositive's range.

    private static final float E0 = -1.26551223f, E1 = 1.00002368f, E2 = 0.37409196f, E3 = 0.09678418f, E4 = -0.18628806f,
            E5 = 0.27886807f, E6 = -1.13520398f, E7 = 1.48851587f, E8 = -0.82215223f, E9 = 0.17087277f;
    private static final float Z_MAX = 9.3f;

    /** P(t) in Estrin's form: pairs, then pairs of pairs (four fmas deep instead of nine). */
    private static float erfcPolynomial(float t) {
        float t2 = t * t;
        float e01 = Math.fma(t, E1, E0), e23 = Math.fma(t, E3, E2), e45 = Math.fma(t, E5, E4);
        float e67 = Math.fma(t, E7, E6), e89 = Math.fma(t, E9, E8);
        float t4 = t2 * t2;
        float low = Math.fma(e23, t2, e01), high = Math.fma(e67, t2, e45);
        return Math.fma(Math.fma(e89, t4, high), t4, low);
    }

    private static FloatVector erfcPolynomial(FloatVector t) {
        FloatVector t2 = t.mul(t);
        FloatVector e01 = t.fma(E1, E0), e23 = t.fma(E3, E2), e45 = t.fma(E5, E4);
        FloatVector e67 = t.fma(E7, E6), e89 = t.fma(E9, E8);
        FloatVector t4 = t2.mul(t2);
        FloatVector low = e23.fma(t2, e01), high = e67.fma(t2, e45);
        return e89.fma(t4, high).fma(t4, low);
    }

    static float erfc(float z) {
        boolean beyond = z > Z_MAX;
        float zc = beyond ? Z_MAX : z;
        float t = 1f / Math.fma(zc, 0.5f, 1f);
        float q = t * expNonPositive(Math.fma(-zc, zc, erfcPolynomial(t)));
        return beyond ? 0f : q;
    }

    static FloatVector erfc(FloatVector z) {
        VectorMask<Float> beyond = z.compare(VectorOperators.GT, Z_MAX);
        FloatVector zc = z.blend(Z_MAX, beyond);
        FloatVector t = FloatVector.broadcast(S, 1f).div(zc.fma(0.5f, 1f));
        return t.mul(expNonPositive(zc.neg().fma(zc, erfcPolynomial(t)))).blend(0f, beyond);
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

    /** x·Φ(x): h = ½x·erfc(|x|/√2) for x ≤ 0, else x − h (x·Φ(x) = x − x·Φ(−x)). */
    static float gelu(float x) {
        float h = 0.5f * x * erfc(Math.abs(x) * SQRT1_2);
        return x <= 0 ? h : x - h;
    }

    static FloatVector gelu(FloatVector x) {
        FloatVector h = x.mul(0.5f).mul(erfc(x.abs().mul(SQRT1_2)));
        return x.sub(h).blend(h, x.compare(VectorOperators.LE, 0f));
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
