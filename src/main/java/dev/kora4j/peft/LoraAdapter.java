package dev.kora4j.peft;

import dev.kora4j.autograd.GradMode;
import dev.kora4j.backend.Backends;
import dev.kora4j.backend.BinaryOp;
import dev.kora4j.nn.Linear;
import dev.kora4j.nn.LinearAdapter;
import dev.kora4j.nn.Module;
import dev.kora4j.ops.LinearTail;
import dev.kora4j.ops.MatMul;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;

/**
 * PEFT's LoRA on a frozen Linear: y = x·Wᵀ + b + s·(dropout(x)·Aᵀ)·Bᵀ with A [r, in] ~ U(±1/√in)
 * and B [out, r] = 0. Parameters lora_A.weight and lora_B.weight sit in the Linear's namespace.
 */
public final class LoraAdapter extends Module implements LinearAdapter.FusedAdapter {
    private final Tensor a;
    private final Tensor b;
    private final double scaling;
    private final double dropout;
    private Rng dropoutRng;

    public LoraAdapter(Linear base, int r, double scaling, double dropout, Rng rng) {
        Tensor w = base.weight();
        double bound = 1 / Math.sqrt(base.inFeatures());
        this.a = parameter("lora_A.weight", Tensor.uniform(rng, -bound, bound, w.dtype(), w.device(), r, base.inFeatures()));
        this.b = parameter("lora_B.weight", Tensor.zeros(w.dtype(), w.device(), base.outFeatures(), r));
        this.scaling = scaling;
        this.dropout = dropout;
    }

    /** The generator of the dropout masks (needed when lora_dropout > 0 and training). */
    public void setDropoutRng(Rng rng) {
        this.dropoutRng = rng;
    }

    /** The update on a frozen output (used with dropout, which the fused op does not apply). */
    @Override
    public Tensor adapt(Tensor x, Tensor y) {
        Tensor in = x;
        if (isTraining() && dropout > 0) {
            if (dropoutRng == null) {
                throw new IllegalStateException("LoRA dropout needs a generator: call setDropoutRng");
            }
            in = x.dropout(dropout, dropoutRng, true);
        }
        Tensor delta = MatMul.linear(MatMul.linear(in, a, null), b, null);
        return y.add(scaling == 1 ? delta : delta.mul(scaling));
    }

    /** Whether the one-op form (frozen product and update together, {@link LoraOp}) applies now. */
    public boolean fusable() {
        return !(isTraining() && dropout > 0);
    }

    @Override
    public Tensor forwardFused(Linear base, Tensor x, LinearTail tail) {
        return LoraOp.linear(x, base.weight(), base.bias(), a, b, scaling, tail);
    }

    /**
     * W ← W + s·B·A (and unmerge: W ← W − s·B·A), for inference without the extra products; in place,
     * on the weight's device.
     */
    public void merge(Linear base, boolean unmerge) {
        try (var scope = GradMode.noGrad()) {
            Tensor w = base.weight(), delta = b.matmul(a).mul(unmerge ? -scaling : scaling);
            Backends.of(w.device()).zip(BinaryOp.ADD, w, delta, w);
        }
    }

    public Tensor a() {
        return a;
    }

    public Tensor b() {
        return b;
    }
}
