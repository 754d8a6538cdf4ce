package dev.kora4j.backend.reference;

import dev.kora4j.backend.Backend;
import dev.kora4j.backend.BinaryOp;
import dev.kora4j.backend.DropoutMask;
import dev.kora4j.backend.UnaryOp;
import dev.kora4j.tensor.Storage;
import dev.kora4j.tensor.Tensor;

/**
 * The oracle: every primitive as the plainest loop over element indices, accumulating in double.
 * It has no fused kernels, so on it every op runs its composition of primitives. Slow by design;
 * every other backend is tested against it.
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
}
