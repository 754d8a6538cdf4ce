package dev.kora4j.backend.cpu;

import dev.kora4j.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * KoRA's per-token passes (kora-math.md §4) in F32. Per token only vectors of width 3r, d_comp and D
 * are touched: v is read once and written once forward, dv' read once backward; nothing N×3D exists.
 * Tokens are cut into fixed chunks; each chunk's sums over tokens are kept apart and added in
 * chunk order, so results do not depend on the thread count.
 */
final class KoraKernels {
    private static final VectorSpecies<Float> S = Simd.F32;
    /** Tokens per task (and per partial sum). */
    private static final int CHUNK = 256;

    private KoraKernels() {}

    /** The row-major array of a [rows, cols] tensor: its own array when it is one, else a copy. */
    private static float[] dense(Tensor t) {
        if (t.isContiguous() && t.offset() == 0 && t.floats().length == t.numel()) {
            return t.floats();
        }
        Tensor c = Tensor.zeros(t.dtype(), t.device(), t.shape());
        Elementwise.copy(t, c);
        return c.floats();
    }

    /** W2 [D, d] as W2ᵀ [d, D]: each of its rows is contiguous for the axpys over D. */
    private static float[] transposed(Tensor w2) {
        int d = w2.size(0), dc = w2.size(1);
        float[] w = dense(w2), out = new float[dc * d];
        for (int o = 0; o < d; o++) {
            for (int i = 0; i < dc; i++) {
                out[i * d + o] = w[o * dc + i];
            }
        }
        return out;
    }

    static void forward(Tensor u, Tensor m, Tensor b1, Tensor w2, Tensor b2, float gate, Tensor pre, Tensor v) {
        int n = u.size(0), r3 = u.size(1), dc = m.size(0), d = w2.size(0);
        float[] us = dense(u), ms = dense(m), b1s = dense(b1), w2t = transposed(w2), b2s = dense(b2);
        float[] ps = pre.floats(), vs = v.floats();
        int preOff = pre.offset(), vOff = v.offset(), vRow = v.stride(0);
        Parallel.forEach((n + CHUNK - 1) / CHUNK, chunk -> {
            float[] h = new float[dc];
            for (int t = chunk * CHUNK, end = Math.min(n, t + CHUNK); t < end; t++) {
                // pre = M·u_t + b1, h = GELU(pre)
                for (int i = 0; i < dc; i++) {
                    float acc = b1s[i];
                    for (int j = 0; j < r3; j++) {
                        acc = Math.fma(ms[i * r3 + j], us[t * r3 + j], acc);
                    }
                    ps[preOff + t * dc + i] = acc;
                    h[i] = FastMath.gelu(acc);
                }
                // v_t += g·(W2·h + b2)
                int at = vOff + t * vRow;
                int o = 0;
                for (int bound = Simd.loopBound(d); o < bound; o += S.length()) {
                    FloatVector delta = FloatVector.fromArray(S, b2s, o);
                    for (int i = 0; i < dc; i++) {
                        delta = FloatVector.fromArray(S, w2t, i * d + o).fma(FloatVector.broadcast(S, h[i]), delta);
                    }
                    delta.fma(FloatVector.broadcast(S, gate), FloatVector.fromArray(S, vs, at + o)).intoArray(vs, at + o);
                }
                for (; o < d; o++) {
                    float delta = b2s[o];
                    for (int i = 0; i < dc; i++) {
                        delta = Math.fma(w2t[i * d + o], h[i], delta);
                    }
                    vs[at + o] = Math.fma(delta, gate, vs[at + o]);
                }
            }
        });
    }

    static double backward(Tensor u, Tensor pre, Tensor m, Tensor w2, Tensor b2, float gate, Tensor dv,
                           Tensor du, Tensor g, Tensor db1, Tensor dw2, Tensor db2) {
        int n = u.size(0), r3 = u.size(1), dc = m.size(0), d = w2.size(0);
        float[] us = dense(u), ps = dense(pre), ms = dense(m), w2t = transposed(w2), b2s = dense(b2);
        float[] dvs = dv.floats(), dus = du.floats();
        int dvOff = dv.offset(), dvRow = dv.stride(0), duOff = du.offset();
        int chunks = (n + CHUNK - 1) / CHUNK;
        // Per chunk: G [dc, r3], db1 [dc], dW2ᵀ [dc, D], db2 [D], dg.
        float[][] gPart = new float[chunks][dc * r3], db1Part = new float[chunks][dc];
        float[][] dw2tPart = new float[chunks][dc * d], db2Part = new float[chunks][d];
        double[] dgPart = new double[chunks];
        Parallel.forEach(chunks, chunk -> {
            float[] gP = gPart[chunk], db1P = db1Part[chunk], dw2tP = dw2tPart[chunk], db2P = db2Part[chunk];
            float[] dpre = new float[dc];
            double dg = 0;
            for (int t = chunk * CHUNK, end = Math.min(n, t + CHUNK); t < end; t++) {
                int at = dvOff + t * dvRow;
                // dg += ⟨dv', b2⟩; db2 += g·dv'
                dg += SoftmaxKernels.dotRow(dvs, at, b2s, 0, d);
                axpy(gate, dvs, at, db2P, 0, d);
                for (int i = 0; i < dc; i++) {
                    float p = ps[t * dc + i], h = FastMath.gelu(p);
                    float e = SoftmaxKernels.dotRow(w2t, i * d, dvs, at, d); // (W2ᵀ·dv')_i
                    dg += (double) e * h;
                    axpy(gate * h, dvs, at, dw2tP, i * d, d); // dW2ᵀ_i += g·h_i·dv'
                    dpre[i] = gate * e * FastMath.geluDerivative(p);
                    db1P[i] += dpre[i];
                    for (int j = 0; j < r3; j++) {
                        gP[i * r3 + j] = Math.fma(dpre[i], us[t * r3 + j], gP[i * r3 + j]);
                    }
                }
                for (int j = 0; j < r3; j++) { // du = Mᵀ·dpre
                    float acc = 0;
                    for (int i = 0; i < dc; i++) {
                        acc = Math.fma(ms[i * r3 + j], dpre[i], acc);
                    }
                    dus[duOff + t * r3 + j] = acc;
                }
            }
            dgPart[chunk] = dg;
        });
        double dg = 0;
        float[] gSum = new float[dc * r3], db1Sum = new float[dc], dw2tSum = new float[dc * d], db2Sum = new float[d];
        for (int c = 0; c < chunks; c++) {
            dg += dgPart[c];
            addInto(gPart[c], gSum);
            addInto(db1Part[c], db1Sum);
            addInto(dw2tPart[c], dw2tSum);
            addInto(db2Part[c], db2Sum);
        }
        write(gSum, g);
        write(db1Sum, db1);
        write(db2Sum, db2);
        for (int o = 0; o < d; o++) {
            for (int i = 0; i < dc; i++) {
                dw2.floats()[dw2.offset() + o * dc + i] = dw2tSum[i * d + o];
            }
        }
        return dg;
    }

    /** y[yi..] += a·x[xi..] over n floats. */
    private static void axpy(float a, float[] x, int xi, float[] y, int yi, int n) {
        int i = 0;
        FloatVector av = FloatVector.broadcast(S, a);
        for (int bound = Simd.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xi + i).fma(av, FloatVector.fromArray(S, y, yi + i)).intoArray(y, yi + i);
        }
        for (; i < n; i++) {
            y[yi + i] = Math.fma(x[xi + i], a, y[yi + i]);
        }
    }

    private static void addInto(float[] src, float[] dst) {
        for (int i = 0; i < src.length; i++) {
            dst[i] += src[i];
        }
    }

    private static void write(float[] values, Tensor dst) {
        System.arraycopy(values, 0, dst.floats(), dst.offset(), values.length);
    }
}
