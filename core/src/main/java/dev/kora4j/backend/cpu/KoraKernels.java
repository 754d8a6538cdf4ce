package dev.kora4j.backend.cpu;

import dev.kora4j.backend.UnaryOp;
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

    /** W2 [D, d] as W2ᵀ [d, D]: each of its rows is contiguous for forward's vector loop over D. */
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
            int t0 = chunk * CHUNK, tokens = Math.min(n, t0 + CHUNK) - t0;
            // pre = M·u_t + b1 for the chunk's tokens, then h = GELU(pre) over all of them as vectors
            for (int t = t0; t < t0 + tokens; t++) {
                for (int i = 0; i < dc; i++) {
                    float acc = b1s[i];
                    for (int j = 0; j < r3; j++) {
                        acc = Math.fma(ms[i * r3 + j], us[t * r3 + j], acc);
                    }
                    ps[preOff + t * dc + i] = acc;
                }
            }
            float[] h = Gemm.Scratch.get().row(tokens * dc);
            gelu(ps, preOff + t0 * dc, h, tokens * dc);
            for (int t = 0; t < tokens; t++) { // v_t += g·(W2·h_t + b2)
                int at = vOff + (t0 + t) * vRow, hi = t * dc;
                int o = 0;
                for (int bound = Simd.loopBound(d); o < bound; o += S.length()) {
                    FloatVector delta = FloatVector.fromArray(S, b2s, o);
                    for (int i = 0; i < dc; i++) {
                        delta = FloatVector.fromArray(S, w2t, i * d + o).fma(FloatVector.broadcast(S, h[hi + i]), delta);
                    }
                    delta.fma(FloatVector.broadcast(S, gate), FloatVector.fromArray(S, vs, at + o)).intoArray(vs, at + o);
                }
                for (; o < d; o++) {
                    float delta = b2s[o];
                    for (int i = 0; i < dc; i++) {
                        delta = Math.fma(w2t[i * d + o], h[hi + i], delta);
                    }
                    vs[at + o] = Math.fma(delta, gate, vs[at + o]);
                }
            }
        });
    }

    /**
     * Backward over chunks of tokens. The products over D are GEMMs on the chunk (dv' is read in
     * place): e = dv'·W2 [T, dc], the gradient reaching h, and dW2ᵀ += (g·h)ᵀ·dv' [dc, D]; the sum of
     * dv' over tokens gives db2 = g·Σ dv' and dg's ⟨Σ dv', b2⟩. Per token only the d_comp × 3r work
     * remains: dpre = g·e ⊙ GELU'(pre), db1, G = dpreᵀ·u and du = dpre·M.
     */
    static double backward(Tensor u, Tensor pre, Tensor m, Tensor w2, Tensor b2, float gate, Tensor dv,
                           Tensor du, Tensor g, Tensor db1, Tensor dw2, Tensor db2) {
        int n = u.size(0), r3 = u.size(1), dc = m.size(0), d = w2.size(0);
        float[] us = dense(u), ps = dense(pre), ms = dense(m), w2s = dense(w2), b2s = dense(b2);
        float[] dvs = dv.floats(), dus = du.floats();
        int dvOff = dv.offset(), dvRow = dv.stride(0), duOff = du.offset();
        int chunks = (n + CHUNK - 1) / CHUNK;
        // Per chunk: G [dc, r3], db1 [dc], dW2ᵀ [dc, D], Σ dv' [D], dg.
        float[][] gPart = new float[chunks][dc * r3], db1Part = new float[chunks][dc];
        float[][] dw2tPart = new float[chunks][dc * d], dvSumPart = new float[chunks][d];
        double[] dgPart = new double[chunks];
        Parallel.forEach(chunks, chunk -> {
            int t0 = chunk * CHUNK, tokens = Math.min(n, t0 + CHUNK) - t0;
            Gemm.Matrix dvChunk = new Gemm.Matrix(dvs, dvOff + t0 * dvRow, dvRow, 1);
            float[] gP = gPart[chunk], db1P = db1Part[chunk], dvSum = dvSumPart[chunk];
            // h = GELU(pre) and e = dv'·W2, each [tokens, dc]; e becomes dpre in place below
            float[] work = Gemm.Scratch.get().row(2 * tokens * dc);
            int e0 = tokens * dc;
            gelu(ps, t0 * dc, work, tokens * dc);
            Gemm.multiplySerial(tokens, dc, d, dvChunk, new Gemm.Matrix(w2s, 0, dc, 1), work, e0, dc, false);
            for (int t = 0; t < tokens; t++) {
                addRow(dvs, dvOff + (t0 + t) * dvRow, dvSum, d);
            }
            double dg = 0;
            for (int o = 0; o < d; o++) {
                dg += (double) dvSum[o] * b2s[o];
            }
            for (int t = 0; t < tokens; t++) {
                int ti = t * dc, ut = (t0 + t) * r3;
                for (int i = 0; i < dc; i++) {
                    float h = work[ti + i], e = work[e0 + ti + i];
                    dg += (double) e * h;
                    float dpre = gate * e * FastMath.geluDerivative(ps[(t0 + t) * dc + i], h);
                    work[e0 + ti + i] = dpre;
                    db1P[i] += dpre;
                    for (int j = 0; j < r3; j++) {
                        gP[i * r3 + j] = Math.fma(dpre, us[ut + j], gP[i * r3 + j]);
                    }
                }
                for (int j = 0; j < r3; j++) { // du = Mᵀ·dpre
                    float acc = 0;
                    for (int i = 0; i < dc; i++) {
                        acc = Math.fma(ms[i * r3 + j], work[e0 + ti + i], acc);
                    }
                    dus[duOff + ut + j] = acc;
                }
                for (int i = 0; i < dc; i++) {
                    work[ti + i] *= gate;
                }
            }
            // dW2ᵀ = (g·h)ᵀ·dv' over the chunk (h read transposed in place)
            Gemm.multiplySerial(dc, d, tokens, new Gemm.Matrix(work, 0, 1, dc), dvChunk, dw2tPart[chunk], 0, d, false);
            dgPart[chunk] = dg;
        });
        double dg = 0;
        float[] gSum = new float[dc * r3], db1Sum = new float[dc], dw2tSum = new float[dc * d], dvSum = new float[d];
        for (int c = 0; c < chunks; c++) {
            dg += dgPart[c];
            addInto(gPart[c], gSum);
            addInto(db1Part[c], db1Sum);
            addInto(dw2tPart[c], dw2tSum);
            addInto(dvSumPart[c], dvSum);
        }
        for (int o = 0; o < d; o++) {
            dvSum[o] *= gate;
        }
        write(gSum, g);
        write(db1Sum, db1);
        write(dvSum, db2);
        for (int o = 0; o < d; o++) {
            for (int i = 0; i < dc; i++) {
                dw2.floats()[dw2.offset() + o * dc + i] = dw2tSum[i * d + o];
            }
        }
        return dg;
    }

    /** y[0..n) = GELU(x[xi..xi+n)): vectors, then the same function on the tail. */
    private static void gelu(float[] x, int xi, float[] y, int n) {
        int done = UnaryLoops.map(UnaryOp.GELU, 0f, x, xi, y, 0, n);
        for (int i = done; i < n; i++) {
            y[i] = FastMath.gelu(x[xi + i]);
        }
    }

    /** y[0..n) += x[xi..xi+n). */
    private static void addRow(float[] x, int xi, float[] y, int n) {
        int i = 0;
        for (int bound = Simd.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, y, i).add(FloatVector.fromArray(S, x, xi + i)).intoArray(y, i);
        }
        for (; i < n; i++) {
            y[i] += x[xi + i];
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
