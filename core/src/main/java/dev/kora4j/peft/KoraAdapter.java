package dev.kora4j.peft;

import dev.kora4j.nn.Linear;
import dev.kora4j.nn.LinearAdapter;
import dev.kora4j.nn.Module;
import dev.kora4j.ops.LinearTail;
import dev.kora4j.ops.MatMul;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;

/**
 * KoRA on an attention block's qkv Linear (kora-math.md §2): q and k pass unchanged, v gets the gated
 * composition of the three LoRA deltas. Initialised so that the block computes exactly what the
 * frozen model does (B_j = 0, g = 0). Parameter names follow §3 (kora_q.lora_A.weight, ...,
 * kora_compose.fc1.weight, kora_gate).
 */
public final class KoraAdapter extends Module implements LinearAdapter {
    private final KoraWeights weights;
    private final double scaling;
    private boolean fused = true;

    public KoraAdapter(Linear qkv, int r, int compositionDim, double scaling, Rng rng) {
        int d = qkv.inFeatures();
        if (qkv.outFeatures() != 3 * d) {
            throw new IllegalArgumentException("KoRA goes on a qkv Linear [3D, D]; this one is [" + qkv.outFeatures() + ", " + d + "]");
        }
        Tensor w = qkv.weight();
        DType t = w.dtype();
        Device dev = w.device();
        double aBound = 1 / Math.sqrt(d), w1Bound = 1 / Math.sqrt(3.0 * d), w2Bound = 1 / Math.sqrt(compositionDim);
        Tensor[] a = new Tensor[3], b = new Tensor[3];
        String[] parts = {"q", "k", "v"};
        for (int j = 0; j < 3; j++) {
            a[j] = parameter("kora_" + parts[j] + ".lora_A.weight", Tensor.uniform(rng, -aBound, aBound, t, dev, r, d));
            b[j] = parameter("kora_" + parts[j] + ".lora_B.weight", Tensor.zeros(t, dev, d, r));
        }
        Tensor w1 = parameter("kora_compose.fc1.weight", Tensor.uniform(rng, -w1Bound, w1Bound, t, dev, compositionDim, 3 * d));
        Tensor b1 = parameter("kora_compose.fc1.bias", Tensor.uniform(rng, -w1Bound, w1Bound, t, dev, compositionDim));
        Tensor w2 = parameter("kora_compose.fc2.weight", Tensor.uniform(rng, -w2Bound, w2Bound, t, dev, d, compositionDim));
        Tensor b2 = parameter("kora_compose.fc2.bias", Tensor.uniform(rng, -w2Bound, w2Bound, t, dev, d));
        Tensor gate = parameter("kora_gate", Tensor.zeros(t, dev, 1));
        this.weights = new KoraWeights(a[0], a[1], a[2], b[0], b[1], b[2], w1, b1, w2, b2, gate);
        this.scaling = scaling;
    }

    /** Chooses the one-pass op (default) or the unfused composition of primitive ops. */
    public void setFused(boolean on) {
        this.fused = on;
    }

    /** The frozen product, then the gated composition on v (one op, or the unfused composition), then the tail. */
    @Override
    public Tensor forward(Tensor x, Tensor weight, Tensor bias, LinearTail tail) {
        Tensor y = MatMul.linear(x, weight, bias);
        return tail.apply(fused ? KoraOp.fused(x, y, weights, scaling) : KoraOp.unfused(x, y, weights, scaling));
    }

    public KoraWeights weights() {
        return weights;
    }
}
