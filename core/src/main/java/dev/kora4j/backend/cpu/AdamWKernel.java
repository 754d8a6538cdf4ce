package dev.kora4j.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * One AdamW update of a parameter in a single pass, with PyTorch's operations in PyTorch's order
 * (decay, lerp of m, addcmul of v, sqrt and divide, addcdiv). Every operation is exactly rounded per
 * lane, so the vector lanes and the scalar tail give the bits the plain loop gives.
 */
public final class AdamWKernel {
    private static final VectorSpecies<Float> S = Simd.F32;

    private AdamWKernel() {}

    /** The step's constants: decay = 1 − lr·wd, stepSize = lr/(1−β1ᵗ), bc2Sqrt = √(1−β2ᵗ). */
    public record Coefficients(float decay, float beta2, float oneMinusBeta1, float oneMinusBeta2, float stepSize, float bc2Sqrt, float eps) {}

    public static void step(float[] w, int wOff, float[] g, float[] m, float[] v, int n, Coefficients c) {
        int chunks = (n + Elementwise.CHUNK - 1) / Elementwise.CHUNK;
        Parallel.forEach(chunks, chunk -> {
            int from = chunk * Elementwise.CHUNK, to = Math.min(n, from + Elementwise.CHUNK);
            int i = from;
            for (int bound = from + Simd.loopBound(to - from); i < bound; i += S.length()) {
                FloatVector gv = FloatVector.fromArray(S, g, i);
                FloatVector mv = FloatVector.fromArray(S, m, i);
                FloatVector vv = FloatVector.fromArray(S, v, i);
                FloatVector wv = FloatVector.fromArray(S, w, wOff + i).mul(c.decay());
                mv = mv.add(gv.sub(mv).mul(c.oneMinusBeta1()));
                vv = vv.mul(c.beta2()).add(gv.mul(c.oneMinusBeta2()).mul(gv));
                FloatVector denom = vv.sqrt().div(c.bc2Sqrt()).add(c.eps());
                wv.add(mv.mul(-c.stepSize()).div(denom)).intoArray(w, wOff + i);
                mv.intoArray(m, i);
                vv.intoArray(v, i);
            }
            for (; i < to; i++) {
                float gi = g[i];
                w[wOff + i] *= c.decay();
                m[i] += (gi - m[i]) * c.oneMinusBeta1(); // m.lerp_(g, 1 − β1)
                v[i] = v[i] * c.beta2() + c.oneMinusBeta2() * gi * gi;
                float denom = (float) Math.sqrt(v[i]) / c.bc2Sqrt() + c.eps();
                w[wOff + i] += -c.stepSize() * m[i] / denom; // addcdiv_: p + (value·m)/denom, value = −stepSize
            }
        });
    }
}
