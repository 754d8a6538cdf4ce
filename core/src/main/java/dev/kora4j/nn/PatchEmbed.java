package dev.kora4j.nn;

import dev.kora4j.ops.LinearTail;
import dev.kora4j.ops.MatMul;
import dev.kora4j.ops.Patches;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;

/**
 * timm's patch embedding: a Conv2d with kernel = stride = patch, as patches·W.reshape(D, C·p·p)ᵀ + b.
 * Parameter names: proj.weight [D, C, p, p], proj.bias [D]. An attached adapter (PEFT's Conv2d LoRA or
 * DoRA) works on the same product and puts its parameters beside them (proj.lora_A.weight, ...).
 */
public final class PatchEmbed extends Module {
    private final int patch;
    private final Tensor weight;
    private final Tensor bias;
    private final Proj proj;
    private LinearAdapter adapter;

    static final class Proj extends Module {
        Proj(Tensor weight, Tensor bias) {
            parameter("weight", weight);
            parameter("bias", bias);
        }
    }

    public PatchEmbed(int inChans, int patch, int dim, Rng rng, DType dtype, Device device) {
        this.patch = patch;
        int fanIn = inChans * patch * patch;
        double bound = 1 / Math.sqrt(fanIn); // PyTorch's Conv2d default init
        this.weight = Tensor.uniform(rng, -bound, bound, dtype, device, dim, inChans, patch, patch);
        this.bias = Tensor.uniform(rng, -bound, bound, dtype, device, dim);
        this.proj = child("proj", new Proj(weight, bias));
    }

    /** images [B, C, H, W] → tokens [B, (H/p)·(W/p), D], row-major over the patch grid. */
    public Tensor forward(Tensor images) {
        Tensor patches = Patches.extract(images, patch);
        Tensor kernel = weight.reshape(weight.size(0), -1);
        return adapter == null ? MatMul.linear(patches, kernel, bias) : adapter.forward(patches, kernel, bias, LinearTail.NONE);
    }

    /** Attaches an adapter to the projection; its parameters join proj's namespace. */
    public <A extends Module & LinearAdapter> void attach(A a) {
        if (adapter != null) {
            throw new IllegalStateException("the patch embedding already carries an adapter");
        }
        adapter = a;
        proj.child("", a);
    }

    public LinearAdapter adapter() {
        return adapter;
    }

    /** The projection's kernel [D, C, p, p]. */
    public Tensor weight() {
        return weight;
    }
}
