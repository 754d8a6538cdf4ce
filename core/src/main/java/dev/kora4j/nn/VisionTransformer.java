package dev.kora4j.nn;

import dev.kora4j.ops.Joins;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;

/**
 * timm's VisionTransformer with class-token pooling: patch embedding, class token prepended, position
 * embedding added, pre-norm blocks, final LayerNorm, head on the class token. Parameter names match
 * timm's state dict (cls_token, pos_embed, patch_embed.proj.weight, blocks.0.attn.qkv.weight, ...).
 */
public final class VisionTransformer extends Module {
    private final ViTConfig config;
    private final DType dtype;
    private final Device device;
    private final Tensor clsToken;
    private final Tensor posEmbed;
    public final PatchEmbed patchEmbed;
    public final ModuleList<Block> blocks;
    public final LayerNorm norm;
    private Linear head;

    public VisionTransformer(ViTConfig c, Rng rng) {
        this(c, rng, DType.F32, Device.CPU);
    }

    /** A model with timm's initialisation (weights are usually loaded over it). */
    public VisionTransformer(ViTConfig c, Rng rng, DType dtype, Device device) {
        this.config = c;
        this.dtype = dtype;
        this.device = device;
        int d = c.embedDim();
        this.clsToken = parameter("cls_token", Tensor.normal(rng, 0, 1e-6, dtype, device, 1, 1, d));
        this.posEmbed = parameter("pos_embed", Init.truncatedNormal(rng, 0.02, -2, 2, dtype, device, 1, c.tokens(), d));
        this.patchEmbed = child("patch_embed", new PatchEmbed(c.inChans(), c.patchSize(), d, rng, dtype, device));
        this.blocks = child("blocks", new ModuleList<>());
        for (int i = 0; i < c.depth(); i++) {
            Block block = new Block(c, rng, dtype, device);
            for (Linear l : new Linear[] {block.attn.qkv, block.attn.proj, block.mlp.fc1, block.mlp.fc2}) {
                Init.vitLinear(l, rng);
            }
            blocks.add(block);
        }
        this.norm = child("norm", new LayerNorm(d, ViTConfig.LN_EPS, dtype, device));
        this.head = child("head", newHead(c.numClasses(), rng));
    }

    /** A fresh classifier as timm initialises one: weight ~ trunc_normal(0.02), bias 0. */
    public Linear newHead(int classes, Rng rng) {
        Linear h = new Linear(config.embedDim(), classes, true, rng, dtype, device);
        Init.vitLinear(h, rng);
        return h;
    }

    /** Where its parameters live (and where its inputs must be). */
    public Device device() {
        return device;
    }

    public ViTConfig config() {
        return config;
    }

    public Linear head() {
        return head;
    }

    /** Replaces the classifier (keeping its place among the parameters). */
    public void setHead(Linear newHead) {
        this.head = child("head", newHead);
    }

    /** images [B, C, H, W] → tokens after the final norm [B, N, D]. */
    public Tensor forwardFeatures(Tensor images) {
        return forwardFeatures(images, null);
    }

    /** The same, handing each block's output [B, N, D] to {@code blockOutputs} (for CKA; null to skip). */
    public Tensor forwardFeatures(Tensor images, java.util.function.Consumer<Tensor> blockOutputs) {
        Tensor x = patchEmbed.forward(images);
        int b = x.size(0);
        Tensor cls = clsToken.expand(b, 1, config.embedDim());
        x = Joins.concat(1, cls, x).add(posEmbed);
        for (Block block : blocks) {
            x = block.forward(x);
            if (blockOutputs != null) {
                blockOutputs.accept(x);
            }
        }
        return norm.forward(x);
    }

    /** The class token of the final features [B, D] (timm's 'token' pooling). */
    public static Tensor pool(Tensor features) {
        return features.select(1, 0);
    }

    public Tensor forward(Tensor images) {
        return head.forward(pool(forwardFeatures(images)));
    }
}
