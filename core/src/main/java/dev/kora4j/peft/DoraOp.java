package dev.kora4j.peft;

import dev.kora4j.autograd.GradMode;
import dev.kora4j.autograd.Saved;
import dev.kora4j.autograd.Tape;
import dev.kora4j.backend.Backend;
import dev.kora4j.backend.Backends;
import dev.kora4j.backend.BinaryOp;
import dev.kora4j.backend.LinearEpilogue;
import dev.kora4j.backend.UnaryOp;
import dev.kora4j.ops.Copies;
import dev.kora4j.ops.LinearTail;
import dev.kora4j.ops.MatMul;
import dev.kora4j.ops.Reductions;
import dev.kora4j.ops.Views;
import dev.kora4j.tensor.BufferPool;
import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;

/**
 * PEFT's DoRA on a frozen linear map: y = (m / n) ⊙ (x·Wᵀ + s·(x·Aᵀ)·Bᵀ) + b, where n = ‖W + s·B·A‖
 * per output row is a constant (PEFT detaches it, and the B·A inside it). One op: the frozen
 * product, the rank-r update, the per-column rescale and the bias on each tile of the GEMM, which
 * also keeps the product p before the rescale. Backward, with g the gradient of the output before
 * the tail: dm = Σ_rows g ⊙ p / n, db = Σ_rows g, and LoRA's gradients of p with g ⊙ (m / n).
 */
public final class DoraOp {
    private DoraOp() {}

    /** ‖W + s·B·A‖ over each row of W [out, in], as a constant [out]. */
    static Tensor weightNorm(Tensor w, Tensor a, Tensor b, double s) {
        try (var scope = GradMode.noGrad()) {
            Tensor merged = w.detach().add(b.detach().matmul(a.detach()).mul(s));
            return merged.mul(merged).sum(false, 1).sqrt();
        }
    }

    /**
     * The layer with W [out, in], bias [out] (or null), A [r, in], B [out, r] and magnitude m [out],
     * followed by the tail (GELU or a residual) in the same op.
     */
    public static Tensor linear(Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, Tensor m, double s, LinearTail tail) {
        int in = w.size(1), outF = w.size(0), r = a.size(0);
        if (x.size(-1) != in || a.size(1) != in || b.size(0) != outF || b.size(1) != r || m.rank() != 1 || m.size(0) != outF) {
            throw Shape.mismatch("dora", x.shape(), w.shape(), "do not match the DoRA factors (A [r, in], B [out, r], m [out])");
        }
        int[] outShape = x.shape();
        outShape[outShape.length - 1] = outF;
        tail.check("dora", outShape);
        Backend backend = Backends.of("dora", x, w, a, b, m, tail.residual());
        Tensor norm = weightNorm(w, a, b, s);
        Tensor scale = Copies.empty(m, outF);
        backend.zip(BinaryOp.DIV, m.detach(), norm, scale); // m / n
        Tensor x2 = Views.reshape(x.detach(), -1, in);
        int rows = x2.size(0);
        Tensor su = Copies.empty(x, rows, r); // s·u = s·x·Aᵀ [N, r]
        backend.matmul(x2, Views.transpose(a.detach(), 0, 1), su, false);
        backend.map(UnaryOp.MUL_SCALAR, s, su, su);
        Tensor y = Copies.empty(x, rows, outF), product = Copies.empty(x, rows, outF);
        Tensor pre = tail.preActivation(y, Tape.wantsGrad(tail.inputs(x, w, bias, a, b, m)));
        LinearEpilogue epilogue = tail.epilogue(bias, pre, rows, outF).withLowRank(su, Views.transpose(b.detach(), 0, 1))
                .withScale(scale, product);
        backend.linear(x2, Views.transpose(w.detach(), 0, 1), y, epilogue); // y = (m/n)⊙(x·Wᵀ + s·u·Bᵀ) + b, then the tail
        int[] xShape = x.shape();
        boolean hasBias = bias != null;
        Saved saved = Saved.of().put("x", x2).put("su", su).put("w", w.detach()).put("a", a.detach()).put("b", b.detach())
                .put("product", product).put("scale", scale).put("norm", norm).put("pre", pre).put("y", tail.gelu() ? y : null);
        return Tape.record("dora_linear", y.reshape(outShape), tail.inputs(x, w, bias, a, b, m), saved, (g, node) -> {
            Backend be = Backends.of(g);
            Tensor g2 = tail.productGradient(Views.reshape(g, -1, outF).contiguous(), node.saved("pre"), node.saved("y"));
            Tensor db = hasBias && node.needsGrad(2) ? Reductions.sum(g2, new int[] {0}, false) : null;
            Tensor dm = null;
            if (node.needsGrad(5)) {
                Tensor gp = Copies.empty(g2, g2.shape());
                be.zip(BinaryOp.MUL, g2, node.saved("product"), gp);
                dm = Reductions.sum(gp, new int[] {0}, false);
                be.zip(BinaryOp.DIV, dm, node.saved("norm"), dm); // Σ g ⊙ p / n
                BufferPool.recycle(gp);
            }
            Tensor gs = Copies.empty(g2, g2.shape()); // g ⊙ (m / n): the gradient of p
            be.zip(BinaryOp.MUL, g2, node.saved("scale").reshape(1, outF).expand(g2.shape()), gs);
            tail.release(g2);
            Tensor[] d = LoraOp.productGradients(gs, node.saved("x"), node.saved("su"), node.saved("w"), node.saved("a"), node.saved("b"), s, xShape,
                    node.needsGrad(0), node.needsGrad(1), node.needsGrad(3), node.needsGrad(4));
            BufferPool.recycle(gs);
            return new Tensor[] {d[0], d[1], db, d[2], d[3], dm, tail.residual() != null && node.needsGrad(6) ? g : null};
        });
    }

    /**
     * The same from primitive ops, whose backward autograd derives: the oracle of {@link #linear},
     * and the form LoRA dropout needs ({@code dropped} is the dropped-out x the update reads; PEFT's
     * frozen product reads x itself).
     */
    public static Tensor composed(Tensor x, Tensor dropped, Tensor w, Tensor bias, Tensor a, Tensor b, Tensor m, double s, LinearTail tail) {
        Tensor product = MatMul.linear(x, w, null).add(MatMul.linear(MatMul.linear(dropped, a, null), b, null).mul(s));
        Tensor y = product.mul(m.div(weightNorm(w, a, b, s)));
        return tail.apply(bias == null ? y : y.add(bias));
    }
}
