package dev.kora4j.backend.cpu;

import dev.kora4j.backend.Backend;
import dev.kora4j.backend.BinaryOp;
import dev.kora4j.backend.DropoutMask;
import dev.kora4j.backend.LinearEpilogue;
import dev.kora4j.backend.UnaryOp;
import dev.kora4j.backend.fused.AttentionKernel;
import dev.kora4j.backend.fused.CrossEntropyKernel;
import dev.kora4j.backend.fused.KoraTokensKernel;
import dev.kora4j.backend.fused.LayerNormKernel;
import dev.kora4j.backend.fused.SoftmaxKernel;
import dev.kora4j.tensor.Tensor;
import java.util.Arrays;

/**
 * The Vector API backend for F32 (multithreaded; the same bits for any thread count), with the
 * fused kernels of softmax, layer norm, cross-entropy, attention and KoRA's token passes.
 * F64, which only gradchecks use, never reaches it ({@code Backends.of} sends it to the reference loops).
 */
public final class CpuBackend implements Backend, SoftmaxKernel, LayerNormKernel, CrossEntropyKernel, AttentionKernel, KoraTokensKernel {
    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        Elementwise.copy(src, dst);
    }

    @Override
    public void map(UnaryOp op, double p, Tensor x, Tensor out) {
        Elementwise.map(op, p, x, out);
    }

    @Override
    public void mapBackward(UnaryOp op, double p, Tensor x, Tensor y, Tensor grad, Tensor dx) {
        Elementwise.mapBackward(op, p, x, y, grad, dx);
    }

    @Override
    public void dropoutMask(long key, double p, Tensor mask) {
        DropoutMask.fill(key, p, mask);
    }

    @Override
    public void zip(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        Elementwise.zip(op, a, b, out);
    }

    @Override
    public void sum(Tensor x, int[] dims, Tensor out) {
        Reduce.sum(x, dims, out);
    }

    @Override
    public void max(Tensor x, int dim, Tensor out, int[] argmax) {
        Reduce.max(x, dim, out, argmax);
    }

    @Override
    public void matmul(Tensor a, Tensor b, Tensor c, boolean accumulate) {
        int rank = c.rank();
        int m = c.size(rank - 2), n = c.size(rank - 1), k = a.size(rank - 1);
        int[] batchShape = Arrays.copyOf(c.shape(), rank - 2);
        int batches = 1;
        for (int d : batchShape) {
            batches *= d;
        }
        int ldc = c.stride(rank - 2);
        int aRs = a.stride(rank - 2), aCs = a.stride(rank - 1);
        int bRs = b.stride(rank - 2), bCs = b.stride(rank - 1);
        if (batches == 1) {
            Gemm.multiply(m, n, k, new Gemm.Matrix(a.floats(), a.offset(), aRs, aCs),
                    new Gemm.Matrix(b.floats(), b.offset(), bRs, bCs), c.floats(), c.offset(), ldc, accumulate);
            return;
        }
        // Many products (attention: one per image and head): one task each, run serially inside.
        Parallel.forEach(batches, batch -> {
            int aAt = a.offset(), bAt = b.offset(), cAt = c.offset();
            for (int d = batchShape.length - 1, rest = batch; d >= 0; d--) {
                int i = rest % batchShape[d];
                rest /= batchShape[d];
                aAt += i * a.stride(d);
                bAt += i * b.stride(d);
                cAt += i * c.stride(d);
            }
            Gemm.multiplySerial(m, n, k, new Gemm.Matrix(a.floats(), aAt, aRs, aCs),
                    new Gemm.Matrix(b.floats(), bAt, bRs, bCs), c.floats(), cAt, ldc, accumulate);
        });
    }

    /** The product with its epilogue fused into each tile's store ({@link GemmEpilogue}). */
    @Override
    public void linear(Tensor a, Tensor b, Tensor out, LinearEpilogue e) {
        e.check(a, b, out);
        Tensor c = e.gelu() ? e.pre() : out;
        Gemm.Matrix u = e.u() == null ? null : matrix(e.u()), v = e.v() == null ? null : matrix(e.v());
        int rank = e.u() == null ? 0 : e.u().size(1);
        GemmEpilogue epilogue = new GemmEpilogue(u, v, rank,
                e.scale() == null ? null : e.scale().floats(), e.scale() == null ? 0 : e.scale().offset(),
                e.unscaled() == null ? null : e.unscaled().floats(), e.unscaled() == null ? 0 : e.unscaled().offset(),
                e.bias() == null ? null : e.bias().floats(), e.bias() == null ? 0 : e.bias().offset(),
                e.gelu() ? out.floats() : null, out.offset(),
                e.residual() == null ? null : e.residual().floats(), e.residual() == null ? 0 : e.residual().offset());
        Gemm.multiply(out.size(0), out.size(1), a.size(1), matrix(a), matrix(b), c.floats(), c.offset(), out.size(1), epilogue);
    }

    private static Gemm.Matrix matrix(Tensor t) {
        return new Gemm.Matrix(t.floats(), t.offset(), t.stride(0), t.stride(1));
    }

    @Override
    public void softmax(Tensor x, Tensor out, boolean log) {
        SoftmaxKernels.softmax(x, out, log);
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor gy, Tensor dx, boolean log) {
        SoftmaxKernels.softmaxBackward(y, gy, dx, log);
    }

    @Override
    public void layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps, Tensor out, Tensor mean, Tensor rstd) {
        LayerNormKernels.forward(x, gamma, beta, eps, out, mean, rstd);
    }

    @Override
    public void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor gy, Tensor dx, Tensor dgamma, Tensor dbeta) {
        LayerNormKernels.backward(x, gamma, mean, rstd, gy, dx, dgamma, dbeta);
    }

    @Override
    public void crossEntropy(Tensor logits, int[] labels, double smoothing, Tensor rowLoss, Tensor probs) {
        SoftmaxKernels.crossEntropy(logits, labels, smoothing, rowLoss, probs);
    }

    @Override
    public void crossEntropyBackward(Tensor probs, int[] labels, double smoothing, double scale, Tensor dlogits) {
        SoftmaxKernels.crossEntropyBackward(probs, labels, smoothing, scale, dlogits);
    }

    @Override
    public void koraTokensForward(Tensor u, Tensor m, Tensor b1, Tensor w2, Tensor b2, Tensor gate, Tensor pre, Tensor v) {
        KoraKernels.forward(u, m, b1, w2, b2, (float) gate.item(), pre, v);
    }

    @Override
    public void koraTokensBackward(Tensor u, Tensor pre, Tensor m, Tensor w2, Tensor b2, Tensor gate, Tensor dv,
                                   Tensor du, Tensor g, Tensor db1, Tensor dw2, Tensor db2, Tensor dgate) {
        dgate.set(KoraKernels.backward(u, pre, m, w2, b2, (float) gate.item(), dv, du, g, db1, dw2, db2), 0);
    }

    @Override
    public void attention(Tensor qkv, int heads, double scale, Tensor out, Tensor probs) {
        AttentionKernels.forward(qkv, heads, scale, out, probs);
    }

    @Override
    public void attentionBackward(Tensor qkv, Tensor probs, Tensor gOut, int heads, double scale, Tensor dqkv) {
        AttentionKernels.backward(qkv, probs, gOut, heads, scale, dqkv);
    }
}
