package dev.kora4j.peft;

import dev.kora4j.nn.LinearAdapter;
import dev.kora4j.nn.Module;
import dev.kora4j.ops.LinearTail;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;

/**
 * PEFT's DoRA (use_dora) on a frozen Linear or Conv2d: LoRA's A and B ({@link LoraAdapter}'s shapes
 * and initialisation) and a magnitude m per output row, lora_magnitude_vector, [out] on a Linear and
 * [1, D, 1, 1] on the patch embedding's conv, initialised to ‖W‖ per row so that a fresh adapter
 * computes the frozen layer. The output is {@link DoraOp}'s.
 */
public final class DoraAdapter extends Module implements LinearAdapter {
    private final Tensor a;
    private final Tensor b;
    private final Tensor magnitude;
    private final int rank;
    private final double scaling;
    private final double dropout;
    private Rng dropoutRng;

    /** The adapter of the layer whose weight is {@code weight} ([out, in], or [out, C, k, k] for a conv). */
    public DoraAdapter(Tensor weight, int r, double scaling, double dropout, Rng rng) {
        this.rank = r;
        this.a = parameter("lora_A.weight", LoraAdapter.initialA(weight, r, rng));
        this.b = parameter("lora_B.weight", Tensor.zeros(weight.dtype(), weight.device(), LoraAdapter.shapeB(weight, r)));
        Tensor norms = DoraOp.weightNorm(weight.reshape(weight.size(0), -1), a.reshape(r, -1), b.reshape(-1, r), scaling);
        this.magnitude = parameter("lora_magnitude_vector",
                weight.rank() == 2 ? norms.contiguous() : norms.reshape(1, weight.size(0), 1, 1).contiguous());
        this.scaling = scaling;
        this.dropout = dropout;
    }

    /** The generator of the dropout masks (needed when lora_dropout > 0 and training). */
    public void setDropoutRng(Rng rng) {
        this.dropoutRng = rng;
    }

    /** One op ({@link DoraOp#linear}), or its composition when dropout is on in training. */
    @Override
    public Tensor forward(Tensor x, Tensor weight, Tensor bias, LinearTail tail) {
        Tensor a2 = a.reshape(rank, -1), b2 = b.reshape(-1, rank), m = magnitude.reshape(-1);
        if (!(isTraining() && dropout > 0)) {
            return DoraOp.linear(x, weight, bias, a2, b2, m, scaling, tail);
        }
        return DoraOp.composed(x, LoraAdapter.dropped(x, dropout, dropoutRng), weight, bias, a2, b2, m, scaling, tail);
    }
}
