package dev.kora4j.peft;

import dev.kora4j.autograd.Saved;
import dev.kora4j.autograd.Tape;
import dev.kora4j.backend.Backend;
import dev.kora4j.backend.Backends;
import dev.kora4j.backend.fused.KoraCompositionKernel;
import dev.kora4j.backend.fused.KoraTokensKernel;
import dev.kora4j.ops.Copies;
import dev.kora4j.ops.Joins;
import dev.kora4j.ops.MatMul;
import dev.kora4j.ops.Views;
import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;

/**
 * KoRA's gated update of v in the qkv output, y = [q; k; v] → [q; k; v + g·δc], forward and backward
 * (kora-math.md §2, §4). {@link #fused} is the one-pass op where the backend has KoRA's token kernel
 * ({@code KoraTokensKernel}; elsewhere it runs {@link #unfused}): with Â = [A_q; A_k; A_v] and
 * M = W1·B̂ = s·[W1_q·B_q, W1_k·B_k, W1_v·B_v] (weights only, once per call), per token
 * u = Â·x, pre = M·u + b1, v' = v + g·(W2·GELU(pre) + b2); no N×3D tensor exists in either pass,
 * and backward reads its eleven saved tensors by name.
 * {@link #unfused} builds the same function from primitive ops (materialising δ_q, δ_k, δ_v and their
 * concatenation): the test oracle and the benchmark baseline.
 */
public final class KoraOp {
    private KoraOp() {}

    private static void check(Tensor x, Tensor y, KoraWeights w) {
        int d = w.dim();
        if (x.size(-1) != d || y.size(-1) != 3 * d || x.numel() / d != y.numel() / (3 * d)) {
            throw Shape.mismatch("kora", x.shape(), y.shape(), "do not match (x [..., D], qkv output [..., 3D]) for D = " + d);
        }
    }

    /** An unrecorded product (weights-sized or thin; used inside forward and backward). */
    private static Tensor mm(Backend backend, Tensor a, Tensor b) {
        Tensor out = Copies.empty(a, a.size(0), b.size(1));
        backend.matmul(a, b, out, false);
        return out;
    }

    /** The j-th D-column slice of W1 [d, 3D]. */
    private static Tensor w1Part(Tensor w1, int j, int d) {
        return Views.narrow(w1, 1, j * d, d);
    }

    /** M = s·[W1_q·B_q, W1_k·B_k, W1_v·B_v] [dc, 3r]: in one pass where the backend offers it, else three products. */
    private static Tensor composition(Backend backend, Tensor w1, Tensor[] b, double s) {
        int d = b[0].size(0), r = b[0].size(1);
        Tensor m = Copies.empty(w1, w1.size(0), 3 * r);
        var kernel = backend.kernel(KoraCompositionKernel.class);
        if (kernel.isPresent()) {
            kernel.get().koraComposition(w1, b[0], b[1], b[2], s, m);
            return m;
        }
        for (int j = 0; j < 3; j++) { // M_j = s·W1_j·B_j
            Tensor mj = mm(backend, w1Part(w1, j, d), b[j]).mul(s);
            backend.copy(mj, Views.narrow(m, 1, j * r, r));
        }
        return m;
    }

    /**
     * The gradients through M from G = dL/dM: dB_j = s·W1_jᵀ·G_j into grads[5 + j] and the returned
     * dW1 = s·[G_q·B_qᵀ, G_k·B_kᵀ, G_v·B_vᵀ], each only where {@code wanted} (B_q, B_k, B_v, W1).
     */
    private static Tensor compositionBackward(Backend be, Tensor w1, Tensor[] b, Tensor g, double s, boolean[] wanted, Tensor[] grads) {
        int dc = w1.size(0), d = b[0].size(0), r = b[0].size(1);
        var kernel = be.kernel(KoraCompositionKernel.class);
        if (kernel.isPresent()) { // all of them in one pass
            Tensor dw1 = Copies.empty(g, dc, 3 * d);
            Tensor[] db = {Copies.empty(g, d, r), Copies.empty(g, d, r), Copies.empty(g, d, r)};
            kernel.get().koraCompositionBackward(w1, b[0], b[1], b[2], g, s, dw1, db[0], db[1], db[2]);
            for (int j = 0; j < 3; j++) {
                grads[5 + j] = wanted[j] ? db[j] : null;
            }
            return wanted[3] ? dw1 : null;
        }
        Tensor dw1 = wanted[3] ? Copies.empty(g, dc, 3 * d) : null;
        for (int j = 0; j < 3; j++) {
            Tensor gj = Views.narrow(g, 1, j * r, r);
            if (wanted[j]) {
                grads[5 + j] = mm(be, Views.transpose(w1Part(w1, j, d), 0, 1), gj).mul(s);
            }
            if (dw1 != null) {
                be.copy(mm(be, gj, Views.transpose(b[j], 0, 1)).mul(s), w1Part(dw1, j, d));
            }
        }
        return dw1;
    }

    /**
     * The fused op where the backend has KoRA's token kernel (elsewhere {@link #unfused}). It
     * overwrites the v columns of {@code y} (the qkv output, which nothing else reads) and returns
     * them as a new tensor on the tape.
     */
    public static Tensor fused(Tensor x, Tensor y, KoraWeights w, double s) {
        check(x, y, w);
        Backend backend = Backends.of("kora", x, y, w.aq());
        var tokens = backend.kernel(KoraTokensKernel.class);
        if (tokens.isEmpty()) {
            return unfused(x, y, w, s);
        }
        KoraTokensKernel kernel = tokens.get();
        int d = w.dim(), r = w.rank(), dc = w.compositionDim();
        Tensor x2 = Views.reshape(x.detach(), -1, d);
        int n = x2.size(0);
        Tensor aHat = Joins.concat(0, w.aq().detach(), w.ak().detach(), w.av().detach()); // [3r, D]
        Tensor[] b = {w.bq().detach(), w.bk().detach(), w.bv().detach()};
        Tensor w1 = w.w1().detach();
        Tensor m = composition(backend, w1, b, s);
        Tensor u = mm(backend, x2, Views.transpose(aHat, 0, 1)); // [N, 3r]
        Tensor pre = Copies.empty(x, n, dc);
        Tensor out = y.detach();
        Tensor v = Views.narrow(Views.reshape(out, n, 3 * d), 1, 2 * d, d);
        if (!out.isContiguous()) {
            throw new IllegalArgumentException("kora: the qkv output must be contiguous");
        }
        Tensor gate = w.gate().detach(); // read by the kernels where it lives (no trip to the host on a GPU)
        kernel.koraTokensForward(u, m, w.b1().detach(), w.w2().detach(), w.b2().detach(), gate, pre, v);

        Tensor[] inputs = {x, y, w.aq(), w.ak(), w.av(), w.bq(), w.bk(), w.bv(), w.w1(), w.b1(), w.w2(), w.b2(), w.gate()};
        Saved saved = Saved.of().put("x", x2).put("u", u).put("pre", pre).put("m", m).put("aHat", aHat)
                .put("bq", b[0]).put("bk", b[1]).put("bv", b[2]).put("w1", w1).put("w2", w.w2().detach()).put("b2", w.b2().detach());
        int[] xShape = x.shape();
        return Tape.record("kora", out, inputs, saved, (gOut, node) -> {
            Backend be = Backends.of(gOut);
            Tensor gRows = Views.reshape(gOut, n, 3 * d);
            // the kernel needs unit column strides, which an expanded gradient lacks
            Tensor dv = Views.narrow(gRows.stride(1) == 1 ? gRows : gRows.contiguous(), 1, 2 * d, d);
            Tensor du = Copies.empty(gOut, n, 3 * r);
            Tensor g = Copies.empty(gOut, dc, 3 * r), db1 = Copies.empty(gOut, dc), dw2 = Copies.empty(gOut, d, dc), db2 = Copies.empty(gOut, d);
            Tensor dgate = Copies.empty(gOut, 1);
            kernel.koraTokensBackward(node.saved("u"), node.saved("pre"), node.saved("m"), node.saved("w2"), node.saved("b2"),
                    gate, dv, du, g, db1, dw2, db2, dgate);
            Tensor[] grads = new Tensor[13];
            grads[0] = node.needsGrad(0) ? Views.reshape(mm(be, du, node.saved("aHat")), xShape) : null; // dx = du·Â
            grads[1] = gOut;                                                                               // dv passes through
            Tensor dAHat = node.needsGrad(2) || node.needsGrad(3) || node.needsGrad(4)
                    ? mm(be, Views.transpose(du, 0, 1), node.saved("x")) : null;                            // dÂ = duᵀ·x
            for (int j = 0; j < 3; j++) {
                grads[2 + j] = dAHat == null ? null : Views.narrow(dAHat, 0, j * r, r).contiguous();
            }
            Tensor[] bs = {node.saved("bq"), node.saved("bk"), node.saved("bv")};
            boolean[] wanted = {node.needsGrad(5), node.needsGrad(6), node.needsGrad(7), node.needsGrad(8)};
            grads[8] = compositionBackward(be, node.saved("w1"), bs, g, s, wanted, grads);
            grads[9] = db1;
            grads[10] = dw2;
            grads[11] = db2;
            grads[12] = dgate;
            return grads;
        });
    }

    /** The same function from primitive ops, each recorded on the tape. */
    public static Tensor unfused(Tensor x, Tensor y, KoraWeights w, double s) {
        check(x, y, w);
        int d = w.dim();
        Tensor dq = MatMul.linear(MatMul.linear(x, w.aq(), null), w.bq(), null).mul(s);
        Tensor dk = MatMul.linear(MatMul.linear(x, w.ak(), null), w.bk(), null).mul(s);
        Tensor dvv = MatMul.linear(MatMul.linear(x, w.av(), null), w.bv(), null).mul(s);
        Tensor c = Joins.concat(-1, dq, dk, dvv);
        Tensor deltaC = MatMul.linear(MatMul.linear(c, w.w1(), w.b1()).gelu(), w.w2(), w.b2());
        Tensor v = Views.narrow(y, -1, 2 * d, d).add(deltaC.mul(w.gate()));
        return Joins.concat(-1, Views.narrow(y, -1, 0, 2 * d), v);
    }
}
