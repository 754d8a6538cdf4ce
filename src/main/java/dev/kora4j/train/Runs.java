package dev.kora4j.train;

import dev.kora4j.io.JsonFile;
import dev.kora4j.io.Safetensors;
import dev.kora4j.nn.ViTConfig;
import dev.kora4j.nn.ViTConfigs;
import dev.kora4j.nn.VisionTransformer;
import dev.kora4j.nn.VitWeights;
import dev.kora4j.optim.AdamW;
import dev.kora4j.peft.AdapterConfig;
import dev.kora4j.peft.PeftModel;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;

/** Building the model a run describes, and loading what a finished run trained. */
public final class Runs {
    private Runs() {}

    /**
     * The model of a run before training: the config's ViT with a head for the task's classes, the
     * backbone weights loaded (a head for another class count stays fresh), the adapter added fresh.
     */
    public static PeftModel build(RunSettings s, Device device) {
        return build(s, "run adapter config", device);
    }

    /**
     * As {@link #build(RunSettings, Device)}; errors about the adapter config name {@code adapterSource}
     * (its file). The initial values do not depend on the device: they are drawn on the host.
     */
    public static PeftModel build(RunSettings s, String adapterSource, Device device) {
        ViTConfig config = ViTConfigs.parse(JsonFile.parse("run model config", s.modelConfigJson())).withNumClasses(s.numClasses());
        Rng rng = new Rng(s.options().seed());
        VisionTransformer vit = new VisionTransformer(config, rng.fork(), DType.F32, device);
        if (!s.weights().isEmpty()) {
            Path weights = Path.of(s.weights());
            VitWeights.load(vit, Safetensors.readAll(weights, DType.F32), weights.toString());
        }
        AdapterConfig adapter = AdapterConfig.parse(JsonFile.parse(adapterSource, s.adapterConfigJson()));
        return PeftModel.of(vit, adapter, rng.fork(), adapterSource);
    }

    /**
     * The trained model of a run on {@code device}: built as above, then the trained tensors of its
     * latest checkpoint (a checkpoint does not depend on the device that wrote it).
     */
    public static PeftModel load(Path runDir, Device device) {
        RunSettings s = RunSettings.read(runDir);
        PeftModel model = build(s, device);
        Map<String, Tensor> trainable = model.trainable();
        if (Checkpoint.load(runDir, trainable, new AdamW(new ArrayList<>(trainable.values()), 1e-3)) == null) {
            throw new dev.kora4j.io.InputException(runDir + ": has no checkpoint (train it first)");
        }
        return model;
    }
}
