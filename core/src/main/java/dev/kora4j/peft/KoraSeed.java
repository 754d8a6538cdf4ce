package dev.kora4j.peft;

import dev.kora4j.nn.Block;
import dev.kora4j.nn.Linear;
import dev.kora4j.nn.Module;
import dev.kora4j.nn.ModuleList;
import dev.kora4j.nn.VisionTransformer;
import dev.kora4j.ops.MatMul;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The seed notebook's KoRA (kora-math.md §5), kept to reproduce its numbers: a side network on the
 * detached inputs of the targeted Linears of an unmodified backbone. Stage ℓ (block-major, then qkv,
 * proj, fc1, fc2) reads p_ℓ = mean_tokens(s·(X_ℓ·A_ℓᵀ)·B_ℓᵀ)·P_ℓᵀ; a chain c_0 = GELU(Φ_0(p_0)),
 * c_ℓ = GELU(Φ_ℓ(p_ℓ + GELU(Ψ_{ℓ−1}(c_{ℓ−1})))) ends in final_projection, whose output, times
 * seed_alpha, is added to the class token before the head. Faithful by default: final_projection
 * is not trained (the notebook built it after its optimizer).
 */
public final class KoraSeed extends Module {
    private final List<Linear> targets = new ArrayList<>();
    private final ModuleList<Stage> adapters = child("adapters", new ModuleList<>());
    private final ModuleList<Linear> phi = child("phi", new ModuleList<>());
    private final ModuleList<Linear> psi = child("psi", new ModuleList<>());
    private final Linear finalProjection;
    private final double scaling;
    private final double seedAlpha;
    private final List<Tensor> captured = new ArrayList<>();

    /** One stage's LoRA pair and its bias-free projection to d_comp. */
    static final class Stage extends Module {
        final Tensor a, b, proj;

        Stage(int in, int out, int r, int dc, Rng rng, DType t, Device dev) {
            double aBound = 1 / Math.sqrt(in), pBound = 1 / Math.sqrt(out);
            a = parameter("lora_A.weight", Tensor.uniform(rng, -aBound, aBound, t, dev, r, in));
            b = parameter("lora_B.weight", Tensor.zeros(t, dev, out, r));
            proj = parameter("proj.weight", Tensor.uniform(rng, -pBound, pBound, t, dev, dc, out));
        }
    }

    public KoraSeed(VisionTransformer vit, AdapterConfig config, Rng rng) {
        this.scaling = config.scaling();
        this.seedAlpha = config.seedAlpha();
        int dc = config.compositionDim();
        Tensor like = vit.head().weight();
        DType t = like.dtype();
        Device dev = like.device();
        for (int i = 0; i < vit.blocks.size(); i++) {
            Block block = vit.blocks.get(i);
            String prefix = "blocks." + i + ".";
            Linear[] linears = {block.attn.qkv, block.attn.proj, block.mlp.fc1, block.mlp.fc2};
            String[] names = {"attn.qkv", "attn.proj", "mlp.fc1", "mlp.fc2"};
            for (int k = 0; k < 4; k++) {
                if (config.targets().matches(prefix + names[k])) {
                    Linear l = linears[k];
                    targets.add(l);
                    adapters.add(new Stage(l.inFeatures(), l.outFeatures(), config.r(), dc, rng, t, dev));
                }
            }
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("KORA_SEED: target_modules " + config.targets() + " match no Linear of the backbone");
        }
        for (int l = 0; l < targets.size(); l++) {
            phi.add(new Linear(dc, dc, true, rng, t, dev));
            if (l + 1 < targets.size()) {
                psi.add(new Linear(dc, dc, true, rng, t, dev));
            }
        }
        this.finalProjection = child("final_projection", new Linear(dc, vit.config().embedDim(), true, rng, t, dev));
        finalProjection.requiresGrad(config.trainFinalProjection());
        for (Linear l : targets) {
            l.observeInputs(captured::add); // the notebook's forward hooks: read detached inputs only
        }
    }

    /** logits = head(cls + seed_alpha·(F·c_{L−1} + f)), the backbone run unmodified. */
    public Tensor forward(VisionTransformer vit, Tensor images) {
        captured.clear();
        Tensor cls = VisionTransformer.pool(vit.forwardFeatures(images));
        if (captured.size() != targets.size()) {
            throw new IllegalStateException("KORA_SEED: captured " + captured.size() + " inputs for " + targets.size() + " stages");
        }
        Tensor c = null;
        for (int l = 0; l < targets.size(); l++) {
            Stage st = adapters.get(l);
            // The token mean commutes with the linear maps: mean first, then the [B, ·] products.
            Tensor mean = captured.get(l).mean(false, 1);
            Tensor p = MatMul.linear(MatMul.linear(MatMul.linear(mean, st.a, null), st.b, null).mul(scaling), st.proj, null);
            Tensor in = c == null ? p : p.add(psi.get(l - 1).forward(c).gelu());
            c = phi.get(l).forward(in).gelu();
        }
        captured.clear();
        Tensor delta = finalProjection.forward(c);
        return vit.head().forward(cls.add(seedAlpha == 1 ? delta : delta.mul(seedAlpha)));
    }
}
