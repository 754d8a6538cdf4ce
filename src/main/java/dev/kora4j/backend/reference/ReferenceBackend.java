package dev.kora4j.backend.reference;

import dev.kora4j.backend.Backend;
import dev.kora4j.backend.BinaryOp;
import dev.kora4j.backend.DropoutMask;
import dev.kora4j.backend.UnaryOp;
import dev.kora4j.tensor.Storage;
import dev.kora4j.tensor.Tensor;

/**
 * The oracle: every kernel as the plainest loop over element indices, accumulating in double.
 * Slow by design; every other backend is tested against it.
 */
public final class ReferenceBackend implements Backend {
    @Override
    public String name() {
        return "reference";
    }

    /** Storage index of every element of t, in row-major order of t's shape. */
    static int[] offsets(Tensor t) {
        int[] shape = t.shape();
        int[] strides = t.strides();
        int[] out = new int[t.numel()];
        int[] index = new int[shape.length];
        for (int i = 0; i < out.length; i++) {
            int at = t.offset();
            for (int d = 0; d < shape.length; d++) {
                at += index[d] * strides[d];
            }
            out[i] = at;
            for (int d = shape.length - 1; d >= 0 && ++index[d] == shape[d]; d--) {
                index[d] = 0;
            }
        }
        return out;
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        int[] s = offsets(src);
        int[] d = offsets(dst);
        for (int i = 0; i < s.length; i++) {
            dst.storage().set(d[i], src.storage().get(s[i]));
        }
    }

    @Override
    public void map(UnaryOp op, double p, Tensor x, Tensor out) {
        int[] xs = offsets(x);
        int[] os = offsets(out);
        for (int i = 0; i < xs.length; i++) {
            out.storage().set(os[i], op.apply(x.storage().get(xs[i]), p));
        }
    }

    @Override
    public void mapBackward(UnaryOp op, double p, Tensor x, Tensor y, Tensor grad, Tensor dx) {
        int[] gs = offsets(grad);
        int[] xs = x == null ? null : offsets(x);
        int[] ys = y == null ? null : offsets(y);
        int[] ds = offsets(dx);
        for (int i = 0; i < gs.length; i++) {
            double xv = xs == null ? Double.NaN : x.storage().get(xs[i]);
            double yv = ys == null ? Double.NaN : y.storage().get(ys[i]);
            dx.storage().set(ds[i], grad.storage().get(gs[i]) * op.derivative(xv, yv, p));
        }
    }

    @Override
    public void dropoutMask(long key, double p, Tensor mask) {
        DropoutMask.fill(key, p, mask);
    }

    @Override
    public void zip(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        int[] as = offsets(a);
        int[] bs = offsets(b);
        int[] os = offsets(out);
        for (int i = 0; i < os.length; i++) {
            out.storage().set(os[i], op.apply(a.storage().get(as[i]), b.storage().get(bs[i])));
        }
    }

    @Override
    public void sum(Tensor x, int[] dims, Tensor out) {
        int[] shape = x.shape();
        int[] outStrides = out.strides();
        boolean[] summed = new boolean[shape.length];
        for (int d : dims) {
            summed[d] = true;
        }
        double[] acc = new double[out.storage().size()];
        int[] xs = offsets(x);
        int[] index = new int[shape.length];
        for (int i = 0; i < xs.length; i++) {
            int at = out.offset();
            for (int d = 0; d < shape.length; d++) {
                at += summed[d] ? 0 : index[d] * outStrides[d];
            }
            acc[at] += x.storage().get(xs[i]);
            for (int d = shape.length - 1; d >= 0 && ++index[d] == shape[d]; d--) {
                index[d] = 0;
            }
        }
        for (int at : offsets(out)) {
            out.storage().set(at, acc[at]);
        }
    }

    @Override
    public void max(Tensor x, int dim, Tensor out, int[] argmax) {
        int[] os = offsets(out);
        int[] outIndex = new int[x.rank()];
        int[] outShape = out.shape();
        for (int o = 0; o < os.length; o++) {
            int[] index = outIndex.clone();
            double best = Double.NEGATIVE_INFINITY;
            int bestAt = 0;
            for (int k = 0; k < x.size(dim); k++) {
                index[dim] = k;
                double v = x.get(index);
                if (v > best || Double.isNaN(v) && !Double.isNaN(best) || k == 0) {
                    best = v;
                    bestAt = k;
                }
            }
            out.storage().set(os[o], best);
            argmax[o] = bestAt;
            for (int d = outShape.length - 1; d >= 0 && ++outIndex[d] == outShape[d]; d--) {
                outIndex[d] = 0;
            }
        }
    }

    @Override
    public void matmul(Tensor a, Tensor b, Tensor c, boolean accumulate) {
        int rank = c.rank();
        int m = c.size(rank - 2);
        int n = c.size(rank - 1);
        int k = a.size(rank - 1);
        int batches = c.numel() / Math.max(1, m * n);
        if (m * n == 0) {
            return;
        }
        int[] batchShape = java.util.Arrays.copyOf(c.shape(), rank - 2);
        int[] batchIndex = new int[rank - 2];
        for (int batch = 0; batch < batches; batch++) {
            int aBase = a.offset();
            int bBase = b.offset();
            int cBase = c.offset();
            for (int d = 0; d < rank - 2; d++) {
                aBase += batchIndex[d] * a.stride(d);
                bBase += batchIndex[d] * b.stride(d);
                cBase += batchIndex[d] * c.stride(d);
            }
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int p = 0; p < k; p++) {
                        acc += a.storage().get(aBase + i * a.stride(rank - 2) + p * a.stride(rank - 1))
                                * b.storage().get(bBase + p * b.stride(rank - 2) + j * b.stride(rank - 1));
                    }
                    int at = cBase + i * c.stride(rank - 2) + j * c.stride(rank - 1);
                    c.storage().set(at, accumulate ? c.storage().get(at) + acc : acc);
                }
            }
            for (int d = rank - 3; d >= 0 && ++batchIndex[d] == batchShape[d]; d--) {
                batchIndex[d] = 0;
            }
        }
    }

    @Override
    public void softmax(Tensor x, Tensor out, boolean log) {
        int cols = x.size(-1);
        int rows = x.numel() / Math.max(1, cols);
        Storage xs = x.storage();
        Storage os = out.storage();
        for (int r = 0; r < rows; r++) {
            int base = x.offset() + r * cols;
            int outBase = out.offset() + r * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, xs.get(base + j));
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp(xs.get(base + j) - max);
            }
            for (int j = 0; j < cols; j++) {
                double shifted = xs.get(base + j) - max;
                os.set(outBase + j, log ? shifted - Math.log(sum) : Math.exp(shifted) / sum);
            }
        }
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor gy, Tensor dx, boolean log) {
        int cols = y.size(-1);
        int rows = y.numel() / Math.max(1, cols);
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            double dot = 0;
            for (int j = 0; j < cols; j++) {
                double g = gy.storage().get(gy.offset() + base + j);
                dot += log ? g : g * y.storage().get(y.offset() + base + j);
            }
            for (int j = 0; j < cols; j++) {
                double yj = y.storage().get(y.offset() + base + j);
                double g = gy.storage().get(gy.offset() + base + j);
                // softmax: dx = y·(g − Σ g·y); log-softmax: dx = g − exp(y)·Σ g
                dx.storage().set(dx.offset() + base + j, log ? g - Math.exp(yj) * dot : yj * (g - dot));
            }
        }
    }

    @Override
    public void layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps, Tensor out, Tensor mean, Tensor rstd) {
        int d = x.size(-1);
        int rows = x.numel() / Math.max(1, d);
        for (int r = 0; r < rows; r++) {
            int base = x.offset() + r * d;
            double mu = 0;
            for (int j = 0; j < d; j++) {
                mu += x.storage().get(base + j);
            }
            mu /= d;
            double var = 0;
            for (int j = 0; j < d; j++) {
                double c = x.storage().get(base + j) - mu;
                var += c * c;
            }
            double rs = 1 / Math.sqrt(var / d + eps);
            for (int j = 0; j < d; j++) {
                double xhat = (x.storage().get(base + j) - mu) * rs;
                out.storage().set(out.offset() + r * d + j, xhat * gamma.get(j) + beta.get(j));
            }
            mean.storage().set(mean.offset() + r, mu);
            rstd.storage().set(rstd.offset() + r, rs);
        }
    }

    @Override
    public void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor gy, Tensor dx, Tensor dgamma, Tensor dbeta) {
        int d = x.size(-1);
        int rows = x.numel() / Math.max(1, d);
        double[] dg = new double[d];
        double[] db = new double[d];
        for (int r = 0; r < rows; r++) {
            double mu = mean.storage().get(mean.offset() + r);
            double rs = rstd.storage().get(rstd.offset() + r);
            // dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = gy·γ
            double meanG = 0;
            double meanGX = 0;
            for (int j = 0; j < d; j++) {
                double xhat = (x.storage().get(x.offset() + r * d + j) - mu) * rs;
                double g = gy.storage().get(gy.offset() + r * d + j);
                double ghat = g * gamma.get(j);
                meanG += ghat;
                meanGX += ghat * xhat;
                dg[j] += g * xhat;
                db[j] += g;
            }
            meanG /= d;
            meanGX /= d;
            for (int j = 0; j < d; j++) {
                double xhat = (x.storage().get(x.offset() + r * d + j) - mu) * rs;
                double ghat = gy.storage().get(gy.offset() + r * d + j) * gamma.get(j);
                dx.storage().set(dx.offset() + r * d + j, rs * (ghat - meanG - xhat * meanGX));
            }
        }
        for (int j = 0; j < d; j++) {
            if (dgamma != null) {
                dgamma.storage().set(dgamma.offset() + j, dg[j]);
            }
            if (dbeta != null) {
                dbeta.storage().set(dbeta.offset() + j, db[j]);
            }
        }
    }

    @Override
    public void crossEntropy(Tensor logits, int[] labels, double smoothing, Tensor rowLoss, Tensor probs) {
        int c = logits.size(-1);
        for (int r = 0; r < labels.length; r++) {
            int base = logits.offset() + r * c;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                max = Math.max(max, logits.storage().get(base + j));
            }
            double sum = 0;
            for (int j = 0; j < c; j++) {
                sum += Math.exp(logits.storage().get(base + j) - max);
            }
            double logSum = Math.log(sum);
            double loss = 0;
            for (int j = 0; j < c; j++) {
                double logp = logits.storage().get(base + j) - max - logSum;
                loss -= target(j, labels[r], smoothing, c) * logp;
                probs.storage().set(probs.offset() + r * c + j, Math.exp(logp));
            }
            rowLoss.storage().set(rowLoss.offset() + r, loss);
        }
    }

    @Override
    public void crossEntropyBackward(Tensor probs, int[] labels, double smoothing, double scale, Tensor dlogits) {
        int c = probs.size(-1);
        for (int r = 0; r < labels.length; r++) {
            for (int j = 0; j < c; j++) {
                double p = probs.storage().get(probs.offset() + r * c + j);
                dlogits.storage().set(dlogits.offset() + r * c + j, scale * (p - target(j, labels[r], smoothing, c)));
            }
        }
    }

    /** The smoothed one-hot target: (1−ε)·[j = label] + ε/C. */
    static double target(int j, int label, double smoothing, int classes) {
        return (j == label ? 1 - smoothing : 0) + smoothing / classes;
    }

    @Override
    public void koraTokensForward(Tensor u, Tensor m, Tensor b1, Tensor w2, Tensor b2, Tensor gateTensor, Tensor pre, Tensor v) {
        int n = u.size(0), r3 = u.size(1), dc = m.size(0), d = w2.size(0);
        double gate = gateTensor.get(0);
        double[] h = new double[dc];
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < dc; i++) {
                double acc = b1.get(i);
                for (int j = 0; j < r3; j++) {
                    acc += m.get(i, j) * u.get(t, j);
                }
                pre.set(acc, t, i);
                h[i] = UnaryOp.GELU.apply(acc, 0);
            }
            for (int o = 0; o < d; o++) {
                double delta = b2.get(o);
                for (int i = 0; i < dc; i++) {
                    delta += w2.get(o, i) * h[i];
                }
                v.set(v.get(t, o) + gate * delta, t, o);
            }
        }
    }

    @Override
    public void koraTokensBackward(Tensor u, Tensor pre, Tensor m, Tensor w2, Tensor b2, Tensor gateTensor, Tensor dv,
                                   Tensor du, Tensor g, Tensor db1, Tensor dw2, Tensor db2, Tensor dgate) {
        int n = u.size(0), r3 = u.size(1), dc = m.size(0), d = w2.size(0);
        double gate = gateTensor.get(0);
        double[][] gAcc = new double[dc][r3];
        double[][] dw2Acc = new double[d][dc];
        double[] db1Acc = new double[dc], db2Acc = new double[d];
        double dg = 0;
        for (int t = 0; t < n; t++) {
            double[] dpre = new double[dc];
            for (int i = 0; i < dc; i++) {
                double p = pre.get(t, i), h = UnaryOp.GELU.apply(p, 0);
                double e = 0; // (W2ᵀ·dv')_i
                for (int o = 0; o < d; o++) {
                    e += w2.get(o, i) * dv.get(t, o);
                    dw2Acc[o][i] += gate * dv.get(t, o) * h;
                }
                dg += e * h;
                dpre[i] = gate * e * UnaryOp.GELU.derivative(p, h, 0);
                db1Acc[i] += dpre[i];
                for (int j = 0; j < r3; j++) {
                    gAcc[i][j] += dpre[i] * u.get(t, j);
                }
            }
            for (int o = 0; o < d; o++) {
                dg += dv.get(t, o) * b2.get(o);
                db2Acc[o] += gate * dv.get(t, o);
            }
            for (int j = 0; j < r3; j++) {
                double acc = 0;
                for (int i = 0; i < dc; i++) {
                    acc += m.get(i, j) * dpre[i];
                }
                du.set(acc, t, j);
            }
        }
        for (int i = 0; i < dc; i++) {
            db1.set(db1Acc[i], i);
            for (int j = 0; j < r3; j++) {
                g.set(gAcc[i][j], i, j);
            }
        }
        for (int o = 0; o < d; o++) {
            db2.set(db2Acc[o], o);
            for (int i = 0; i < dc; i++) {
                dw2.set(dw2Acc[o][i], o, i);
            }
        }
        dgate.set(dg, 0);
    }

    @Override
    public void attention(Tensor qkv, int heads, double scale, Tensor out, Tensor probs) {
        int b = qkv.size(0), n = qkv.size(1), d = qkv.size(2) / 3, hd = d / heads;
        for (int img = 0; img < b; img++) {
            for (int h = 0; h < heads; h++) {
                int q = h * hd, k = d + h * hd, v = 2 * d + h * hd;
                for (int i = 0; i < n; i++) {
                    double[] s = new double[n];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < n; j++) {
                        double dot = 0;
                        for (int c = 0; c < hd; c++) {
                            dot += qkv.get(img, i, q + c) * qkv.get(img, j, k + c);
                        }
                        s[j] = scale * dot;
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < n; j++) {
                        s[j] = Math.exp(s[j] - max);
                        sum += s[j];
                    }
                    for (int j = 0; j < n; j++) {
                        probs.set(s[j] / sum, img, h, i, j);
                    }
                    for (int c = 0; c < hd; c++) {
                        double acc = 0;
                        for (int j = 0; j < n; j++) {
                            acc += s[j] / sum * qkv.get(img, j, v + c);
                        }
                        out.set(acc, img, i, q + c);
                    }
                }
            }
        }
    }

    @Override
    public void attentionBackward(Tensor qkv, Tensor probs, Tensor gOut, int heads, double scale, Tensor dqkv) {
        int b = qkv.size(0), n = qkv.size(1), d = qkv.size(2) / 3, hd = d / heads;
        for (int img = 0; img < b; img++) {
            for (int h = 0; h < heads; h++) {
                int q = h * hd, k = d + h * hd, v = 2 * d + h * hd;
                // dP = dO·vᵀ; dS = P ⊙ (dP − Σ_j dP·P) · scale
                double[][] ds = new double[n][n];
                for (int i = 0; i < n; i++) {
                    double dot = 0;
                    for (int j = 0; j < n; j++) {
                        double dp = 0;
                        for (int c = 0; c < hd; c++) {
                            dp += gOut.get(img, i, q + c) * qkv.get(img, j, v + c);
                        }
                        ds[i][j] = dp;
                        dot += dp * probs.get(img, h, i, j);
                    }
                    for (int j = 0; j < n; j++) {
                        ds[i][j] = probs.get(img, h, i, j) * (ds[i][j] - dot) * scale;
                    }
                }
                for (int t = 0; t < n; t++) {
                    for (int c = 0; c < hd; c++) {
                        double dq = 0, dk = 0, dv = 0;
                        for (int j = 0; j < n; j++) {
                            dq += ds[t][j] * qkv.get(img, j, k + c);        // dq = dS·k
                            dk += ds[j][t] * qkv.get(img, j, q + c);        // dk = dSᵀ·q
                            dv += probs.get(img, h, j, t) * gOut.get(img, j, q + c); // dv = Pᵀ·dO
                        }
                        dqkv.set(dq, img, t, q + c);
                        dqkv.set(dk, img, t, k + c);
                        dqkv.set(dv, img, t, v + c);
                    }
                }
            }
        }
    }
}
