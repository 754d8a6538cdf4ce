package dev.kora4j.backend.cpu;

import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Layer norm over the last dim of contiguous F32 rows, forward and backward. The weight and bias
 * gradients are sums over rows: rows are cut into fixed blocks whose partial sums are added in
 * order, so they do not depend on the thread count.
 */
final class LayerNormKernels {
    private static final VectorSpecies<Float> S = Simd.F32;
    /** Rows per block of the weight-gradient sums. */
    private static final int ROW_BLOCK = 64;

    private LayerNormKernels() {}

    static void forward(Tensor x, Tensor gamma, Tensor beta, double eps, Tensor out, Tensor mean, Tensor rstd) {
        int d = x.size(-1);
        int rows = x.numel() / Math.max(1, d);
        float[] xs = x.floats(), gs = gamma.floats(), bs = beta.floats(), os = out.floats();
        float[] ms = mean.floats(), rs = rstd.floats();
        int go = gamma.offset(), bo = beta.offset();
        SoftmaxKernels.forEachRow(rows, d, r -> {
            int xi = x.offset() + r * d, oi = out.offset() + r * d;
            float mu = Reduce.sumRow(xs, xi, d) / d;
            float var = 0;
            int i = 0;
            int bound = Simd.loopBound(d);
            if (bound > 0) {
                FloatVector acc = FloatVector.zero(S);
                for (; i < bound; i += S.length()) {
                    FloatVector c = FloatVector.fromArray(S, xs, xi + i).sub(mu);
                    acc = c.fma(c, acc);
                }
                var = Reduce.lanesInOrder(acc);
            }
            for (; i < d; i++) {
                float c = xs[xi + i] - mu;
                var = Math.fma(c, c, var);
            }
            float rsd = (float) (1 / Math.sqrt(var / d + eps));
            i = 0;
            for (; i < bound; i += S.length()) {
                FloatVector xhat = FloatVector.fromArray(S, xs, xi + i).sub(mu).mul(rsd);
                xhat.fma(FloatVector.fromArray(S, gs, go + i), FloatVector.fromArray(S, bs, bo + i)).intoArray(os, oi + i);
            }
            for (; i < d; i++) {
                os[oi + i] = Math.fma((xs[xi + i] - mu) * rsd, gs[go + i], bs[bo + i]);
            }
            ms[mean.offset() + r] = mu;
            rs[rstd.offset() + r] = rsd;
        });
    }

    static void backward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor gy, Tensor dx, Tensor dgamma, Tensor dbeta) {
        int d = x.size(-1);
        int rows = x.numel() / Math.max(1, d);
        float[] xs = x.floats(), gam = gamma.floats(), ms = mean.floats(), rs = rstd.floats();
        float[] gs = gy.floats(), ds = dx.floats();
        int go = gamma.offset();
        int blocks = (rows + ROW_BLOCK - 1) / ROW_BLOCK;
        boolean weights = dgamma != null || dbeta != null;
        float[] partialG = weights ? Tensor.pooledZeros(DType.F32, Device.CPU, blocks * d).floats() : null;
        float[] partialB = weights ? Tensor.pooledZeros(DType.F32, Device.CPU, blocks * d).floats() : null;
        Parallel.forEach(blocks, block -> {
            float[] xhat = Gemm.Scratch.get().row(d);
            for (int r = block * ROW_BLOCK, end = Math.min(rows, r + ROW_BLOCK); r < end; r++) {
                int xi = x.offset() + r * d, gi = gy.offset() + r * d, di = dx.offset() + r * d;
                float mu = ms[mean.offset() + r], rsd = rs[rstd.offset() + r];
                // dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = g·γ
                float sumG = 0, sumGX = 0;
                int i = 0, bound = Simd.loopBound(d);
                if (bound > 0) {
                    FloatVector accG = FloatVector.zero(S), accGX = accG;
                    for (; i < bound; i += S.length()) {
                        FloatVector xh = FloatVector.fromArray(S, xs, xi + i).sub(mu).mul(rsd);
                        xh.intoArray(xhat, i);
                        FloatVector ghat = FloatVector.fromArray(S, gs, gi + i).mul(FloatVector.fromArray(S, gam, go + i));
                        accG = accG.add(ghat);
                        accGX = ghat.fma(xh, accGX);
                    }
                    sumG = Reduce.lanesInOrder(accG);
                    sumGX = Reduce.lanesInOrder(accGX);
                }
                for (; i < d; i++) {
                    xhat[i] = (xs[xi + i] - mu) * rsd;
                    float ghat = gs[gi + i] * gam[go + i];
                    sumG += ghat;
                    sumGX = Math.fma(ghat, xhat[i], sumGX);
                }
                float meanG = sumG / d, meanGX = sumGX / d;
                i = 0;
                for (; i < bound; i += S.length()) {
                    FloatVector ghat = FloatVector.fromArray(S, gs, gi + i).mul(FloatVector.fromArray(S, gam, go + i));
                    FloatVector xh = FloatVector.fromArray(S, xhat, i);
                    ghat.sub(meanG).sub(xh.mul(meanGX)).mul(rsd).intoArray(ds, di + i);
                }
                for (; i < d; i++) {
                    ds[di + i] = (gs[gi + i] * gam[go + i] - meanG - xhat[i] * meanGX) * rsd;
                }
                if (weights) {
                    int pi = block * d, j = 0;
                    for (; j < bound; j += S.length()) {
                        FloatVector gv = FloatVector.fromArray(S, gs, gi + j);
                        gv.fma(FloatVector.fromArray(S, xhat, j), FloatVector.fromArray(S, partialG, pi + j)).intoArray(partialG, pi + j);
                        gv.add(FloatVector.fromArray(S, partialB, pi + j)).intoArray(partialB, pi + j);
                    }
                    for (; j < d; j++) {
                        partialG[pi + j] = Math.fma(gs[gi + j], xhat[j], partialG[pi + j]);
                        partialB[pi + j] += gs[gi + j];
                    }
                }
            }
        });
        if (weights) {
            for (int j = 0; j < d; j++) {
                float sg = 0, sb = 0;
                for (int b = 0; b < blocks; b++) {
                    sg += partialG[b * d + j];
                    sb += partialB[b * d + j];
                }
                if (dgamma != null) {
                    dgamma.floats()[dgamma.offset() + j] = sg;
                }
                if (dbeta != null) {
                    dbeta.floats()[dbeta.offset() + j] = sb;
                }
            }
        }
    }
}
