package dev.kora4j.peft;

import dev.kora4j.autograd.GradMode;
import dev.kora4j.backend.Backends;
import dev.kora4j.backend.BinaryOp;
import dev.kora4j.nn.LinearAdapter;
import dev.kora4j.nn.Module;
import dev.kora4j.ops.LinearTail;
import dev.kora4j.ops.MatMul;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;

/**
 * PEFT's LoRA on a frozen Linear or Conv2d: y = x·Wᵀ + b + s·(dropout(x)·Aᵀ)·Bᵀ with A ~ U(±1/√fan_in)
 * and B = 0. On a Linear W [out, in], A is [r, in] and B [out, r]; on the Conv2d patch embedding
 * W [D, C, p, p], A is a conv of the same kernel, [r, C, p, p], and B a 1×1 conv, [D, r, 1, 1], so
 * that on the patches the update is the same product with A and B flattened. Parameters
 * lora_A.weight and lora_B.weight sit in the layer's namespace.
 */
public final class LoraAdapter extends Module implements LinearAdapter {
    private final Tensor a;
    private final Tensor b;
    private final int rank;
    private final double scaling;
    private final double dropout;
    private Rng dropoutRng;

    /** The adapter of the layer whose weight is {@code weight} ([out, in], or [out, C, k, k] for a conv). */
    public LoraAdapter(Tensor weight, int r, double scaling, double dropout, Rng rng) {
        this.rank = r;
        this.a = parameter("lora_A.weight", initialA(weight, r, rng));
        this.b = parameter("lora_B.weight", Tensor.zeros(weight.dtype(), weight.device(), shapeB(weight, r)));
        this.scaling = scaling;
        this.dropout = dropout;
    }

    /** A as PEFT initialises it (kaiming_uniform with a = √5): U(±1/√fan_in), with the layer's kernel shape. */
    static Tensor initialA(Tensor weight, int r, Rng rng) {
        int[] shape = weight.shape();
        shape[0] = r;
        double bound = 1 / Math.sqrt((double) weight.numel() / weight.size(0));
        return Tensor.uniform(rng, -bound, bound, weight.dtype(), weight.device(), shape);
    }

    /** B's shape: [out, r], or [out, r, 1, 1] (a 1×1 conv) for a conv layer. */
    static int[] shapeB(Tensor weight, int r) {
        return weight.rank() == 2 ? new int[] {weight.size(0), r} : new int[] {weight.size(0), r, 1, 1};
    }

    /** The generator of the dropout masks (needed when lora_dropout > 0 and training). */
    public void setDropoutRng(Rng rng) {
        this.dropoutRng = rng;
    }

    /** A as [r, in] and B as [out, r], whatever the layer's kernel shape. */
    Tensor a2() {
        return a.reshape(rank, -1);
    }

    Tensor b2() {
        return b.reshape(-1, rank);
    }

    /** One op ({@link LoraOp}), except with dropout in training, whose mask the fused op does not apply. */
    @Override
    public Tensor forward(Tensor x, Tensor weight, Tensor bias, LinearTail tail) {
        if (!(isTraining() && dropout > 0)) {
            return LoraOp.linear(x, weight, bias, a2(), b2(), scaling, tail);
        }
        Tensor delta = MatMul.linear(MatMul.linear(dropped(x, dropout, dropoutRng), a2(), null), b2(), null);
        return tail.apply(MatMul.linear(x, weight, bias).add(scaling == 1 ? delta : delta.mul(scaling)));
    }

    /** x with LoRA's dropout applied (training only). */
    static Tensor dropped(Tensor x, double dropout, Rng rng) {
        if (rng == null) {
            throw new IllegalStateException("LoRA dropout needs a generator: call setDropoutRng");
        }
        return x.dropout(dropout, rng, true);
    }

    /**
     * W ← W + s·B·A (and unmerge: W ← W − s·B·A), for inference without the extra products; in place,
     * on the weight's device.
     */
    public void merge(Tensor weight, boolean unmerge) {
        try (var scope = GradMode.noGrad()) {
            Tensor delta = b2().matmul(a2()).mul(unmerge ? -scaling : scaling).reshape(weight.shape());
            Backends.of(weight).zip(BinaryOp.ADD, weight, delta, weight);
        }
    }

    public Tensor a() {
        return a;
    }

    public Tensor b() {
        return b;
    }
}
