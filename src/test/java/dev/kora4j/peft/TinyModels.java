package dev.kora4j.peft;

import dev.kora4j.io.JsonFile;
import dev.kora4j.nn.Init;
import dev.kora4j.nn.ViTConfig;
import dev.kora4j.nn.VisionTransformer;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;

/** Small ViTs and adapters for tests. */
final class TinyModels {
    private TinyModels() {}

    /** D = 12, 3 heads, depth 2, 8×8 images in 4×4 patches (5 tokens), 5 classes. */
    static ViTConfig config() {
        return new ViTConfig("vit_tiny_patch16_224", 8, 4, 3, 12, 2, 3, 2.0, true, 5);
    }

    static VisionTransformer vit(DType dtype, Device device) {
        VisionTransformer vit = new VisionTransformer(config(), new Rng(1), dtype, device);
        // well-scaled random weights everywhere (timm's init leaves LayerNorms trivial and the head tiny)
        Rng rng = new Rng(2);
        for (Tensor p : vit.parameters()) {
            Init.copyInto(Tensor.uniform(rng, -0.5, 0.5, p.shape()), p);
        }
        return vit;
    }

    static AdapterConfig adapter(String json) {
        return AdapterConfig.parse(JsonFile.parse("adapter_config.json", json));
    }

    /** Gives every adapter tensor non-zero values, so that every gradient is non-zero. */
    static void randomizeAdapters(PeftModel model, long seed) {
        Rng rng = new Rng(seed);
        for (Tensor t : model.adapterTensors().values()) {
            Init.copyInto(Tensor.uniform(rng, -0.6, 0.6, t.shape()), t);
        }
    }

    static Tensor images(int batch, DType dtype, Device device) {
        return Tensor.uniform(new Rng(3), -1, 1, dtype, device, batch, 3, 8, 8);
    }
}
