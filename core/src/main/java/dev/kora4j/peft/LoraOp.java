package dev.kora4j.peft;

import dev.kora4j.autograd.Saved;
import dev.kora4j.autograd.Tape;
import dev.kora4j.backend.Backend;
import dev.kora4j.backend.Backends;
import dev.kora4j.backend.LinearEpilogue;
import dev.kora4j.backend.UnaryOp;
import dev.kora4j.ops.Copies;
import dev.kora4j.ops.LinearTail;
import dev.kora4j.ops.Reductions;
import dev.kora4j.ops.Views;
import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;

/**
 * A Linear with its LoRA update as one op: y = x·Wᵀ + b + s·(x·Aᵀ)·Bᵀ. The rank-r update is
 * accumulated into the frozen product's output (no [N, out] delta exists), and backward needs only
 * the thin t = g·B [N, r]: dx = g·W + s·t·A, dA = s·tᵀ·x, dB = s·gᵀ·u with u = x·Aᵀ kept from the
 * forward. A frozen W and b cost nothing in backward.
 */
public final class LoraOp {
    private LoraOp() {}

    private static Tensor mm(Backend backend, Tensor a, Tensor b) {
        Tensor out = Copies.empty(a, a.size(0), b.size(1));
        backend.matmul(a, b, out, false);
        return out;
    }

    /** s·a·b, scaled in place (no second [N, r] buffer). */
    private static Tensor scaledMm(Backend backend, Tensor a, Tensor b, double s) {
        Tensor out = mm(backend, a, b);
        backend.map(UnaryOp.MUL_SCALAR, s, out, out);
        return out;
    }

    public static Tensor linear(Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, double s) {
        return linear(x, w, bias, a, b, s, LinearTail.NONE);
    }

    /** The same followed by GELU, or plus a residual, in the same op ({@link LinearTail}). */
    public static Tensor linear(Tensor x, Tensor w, Tensor bias, Tensor a, Tensor b, double s, LinearTail tail) {
        int in = w.size(1), outF = w.size(0), r = a.size(0);
        if (x.size(-1) != in || a.size(1) != in || b.size(0) != outF || b.size(1) != r) {
            throw Shape.mismatch("lora", x.shape(), w.shape(), "do not match the LoRA factors (A [r, in], B [out, r])");
        }
        int[] outShape = x.shape();
        outShape[outShape.length - 1] = outF;
        tail.check("lora", outShape);
        Backend backend = Backends.of("lora", x, w, a, b, tail.residual());
        Tensor x2 = Views.reshape(x.detach(), -1, in);
        Tensor y = Copies.empty(x, x2.size(0), outF);
        Tensor su = scaledMm(backend, x2, Views.transpose(a.detach(), 0, 1), s); // s·u [N, r]
        Tensor pre = tail.preActivation(y, Tape.wantsGrad(tail.inputs(x, w, bias, a, b)));
        LinearEpilogue epilogue = tail.epilogue(bias, pre, x2.size(0), outF).withLowRank(su, Views.transpose(b.detach(), 0, 1));
        backend.linear(x2, Views.transpose(w.detach(), 0, 1), y, epilogue); // y = x·Wᵀ + s·u·Bᵀ + b, then the tail
        int[] xShape = x.shape();
        boolean hasBias = bias != null;
        Saved saved = Saved.of().put("x", x2).put("su", su).put("w", w.detach()).put("a", a.detach()).put("b", b.detach())
                .put("pre", pre).put("y", tail.gelu() ? y : null);
        return Tape.record("lora_linear", y.reshape(outShape), tail.inputs(x, w, bias, a, b), saved, (g, node) -> {
            Tensor g2 = tail.productGradient(Views.reshape(g, -1, outF).contiguous(), node.saved("pre"), node.saved("y"));
            Tensor[] d = productGradients(g2, node.saved("x"), node.saved("su"), node.saved("w"), node.saved("a"), node.saved("b"), s, xShape,
                    node.needsGrad(0), node.needsGrad(1), node.needsGrad(3), node.needsGrad(4));
            Tensor db = hasBias && node.needsGrad(2) ? Reductions.sum(g2, new int[] {0}, false) : null;
            tail.release(g2);
            return new Tensor[] {d[0], d[1], db, d[2], d[3], tail.residual() != null && node.needsGrad(5) ? g : null};
        });
    }

    /**
     * dx, dW, dA and dB (null where not needed) of p = x·Wᵀ + s·(x·Aᵀ)·Bᵀ from its gradient g2
     * [N, out], with x2 = x as [N, in] and su = s·x·Aᵀ kept from the forward: dx = g·W + s·t·A,
     * dW = gᵀ·x, dA = s·tᵀ·x, dB = gᵀ·(s·u), where t = g·B.
     */
    static Tensor[] productGradients(Tensor g2, Tensor x2, Tensor su, Tensor w, Tensor a, Tensor b, double s, int[] xShape,
                                     boolean needX, boolean needW, boolean needA, boolean needB) {
        Backend be = Backends.of(g2);
        Tensor st = scaledMm(be, g2, b, s); // s·t = s·g·B [N, r]
        Tensor dx = null;
        if (needX) {
            Tensor dx2 = Copies.empty(g2, g2.size(0), w.size(1));
            be.linear(g2, w, dx2, LinearEpilogue.NONE.withLowRank(st, a)); // dx = g·W + s·t·A
            dx = Views.reshape(dx2, xShape);
        }
        Tensor dw = needW ? mm(be, Views.transpose(g2, 0, 1), x2) : null;
        Tensor da = needA ? mm(be, Views.transpose(st, 0, 1), x2) : null;
        // dB = gᵀ·(s·u), formed as its transpose (s·u)ᵀ·g so that g is read in place
        Tensor dbT = needB ? mm(be, Views.transpose(su, 0, 1), g2) : null;
        return new Tensor[] {dx, dw, da, dbT == null ? null : Views.transpose(dbT, 0, 1).contiguous()};
    }
}
