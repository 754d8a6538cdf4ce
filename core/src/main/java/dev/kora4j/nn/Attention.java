package dev.kora4j.nn;

import dev.kora4j.ops.LinearTail;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;

/**
 * timm's multi-head self-attention: qkv = x·Wqkvᵀ + b split as [3, H, head_dim] per token
 * (rows 0..D−1 of qkv.weight are q, then k, then v), softmax((q·scale)·kᵀ)·v, heads
 * concatenated, then proj. scale = head_dim^−½.
 */
public final class Attention extends Module {
    private final int numHeads;
    private final double scale;
    public final Linear qkv;
    public final Linear proj;

    public Attention(int dim, int numHeads, boolean qkvBias, Rng rng, DType dtype, Device device) {
        this.numHeads = numHeads;
        this.scale = 1 / Math.sqrt((double) dim / numHeads);
        this.qkv = child("qkv", new Linear(dim, 3 * dim, qkvBias, rng, dtype, device));
        this.proj = child("proj", new Linear(dim, dim, true, rng, dtype, device));
    }

    public Tensor forward(Tensor x) {
        return proj.forward(heads(x));
    }

    /** residual + attn(x), the add done by proj's op as it writes its output. */
    public Tensor forward(Tensor x, Tensor residual) {
        return proj.forward(heads(x), LinearTail.residual(residual));
    }

    private Tensor heads(Tensor x) {
        return dev.kora4j.ops.Attention.selfAttention(qkv.forward(x), numHeads, scale);
    }

    /** The same from primitive ops: the oracle the fused op is tested against ({@code ops.Attention.composed}). */
    public static Tensor unfused(Tensor qkvOut, int numHeads, double scale) {
        return dev.kora4j.ops.Attention.composed(qkvOut, numHeads, scale);
    }
}
