package dev.kora4j.nn;

import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;

/** A pre-norm transformer block: x + attn(norm1(x)), then x + mlp(norm2(x)). */
public final class Block extends Module {
    public final LayerNorm norm1;
    public final Attention attn;
    public final LayerNorm norm2;
    public final Mlp mlp;

    public Block(ViTConfig c, Rng rng, DType dtype, Device device) {
        this.norm1 = child("norm1", new LayerNorm(c.embedDim(), ViTConfig.LN_EPS, dtype, device));
        this.attn = child("attn", new Attention(c.embedDim(), c.numHeads(), c.qkvBias(), rng, dtype, device));
        this.norm2 = child("norm2", new LayerNorm(c.embedDim(), ViTConfig.LN_EPS, dtype, device));
        this.mlp = child("mlp", new Mlp(c.embedDim(), c.mlpHidden(), rng, dtype, device));
    }

    public Tensor forward(Tensor x) {
        x = attn.forward(norm1.forward(x), x);
        return mlp.forward(norm2.forward(x), x);
    }
}
