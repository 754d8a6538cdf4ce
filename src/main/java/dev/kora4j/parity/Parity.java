package dev.kora4j.parity;

import dev.kora4j.io.InputException;
import dev.kora4j.io.Safetensors;
import dev.kora4j.io.SafetensorsFile;
import dev.kora4j.nn.ViTConfig;
import dev.kora4j.nn.ViTConfigs;
import dev.kora4j.nn.VisionTransformer;
import dev.kora4j.nn.VitWeights;
import dev.kora4j.ops.CrossEntropy;
import dev.kora4j.peft.AdapterConfig;
import dev.kora4j.peft.PeftModel;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One forward and backward of a ViT (with or without an adapter) on given weights and batch, with
 * every output and gradient returned by name: what `kora parity` writes, and what the golden tests
 * compare against PyTorch/timm. Dropout is never applied.
 */
public final class Parity {
    private Parity() {}

    /** The files of one parity run; the adapter pair is absent for full fine-tuning. */
    public record Inputs(Path config, Path weights, Path adapterConfig, Path adapter, Path batch) {
        public Inputs {
            if ((adapterConfig == null) != (adapter == null)) {
                throw new InputException("--adapter-config and --adapter go together: give both or neither");
            }
        }
    }

    /** logits [B, C], loss [], and grad.&lt;name&gt; for every trainable tensor. */
    public static Map<String, Tensor> run(Inputs in, Device device) {
        ViTConfig config = ViTConfigs.read(in.config());
        VisionTransformer vit = new VisionTransformer(config, new Rng(0), DType.F32, device);
        VitWeights.load(vit, Safetensors.readAll(in.weights(), DType.F32), in.weights().toString());
        PeftModel model;
        if (in.adapter() != null) {
            model = PeftModel.inject(vit, AdapterConfig.read(in.adapterConfig()), new Rng(0), in.adapterConfig().toString());
            model.loadAdapter(Safetensors.readAll(in.adapter(), DType.F32), in.adapter().toString()).forEach(w -> System.err.println("warning: " + w));
        } else {
            model = PeftModel.fullFineTuning(vit);
        }
        model.train(false);

        Tensor images;
        int[] labels;
        try (SafetensorsFile batch = Safetensors.open(in.batch())) {
            images = batch.tensor("images").to(device);
            long[] raw = batch.longs("labels");
            int classes = model.vit().head().outFeatures();
            labels = new int[raw.length];
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] < 0 || raw[i] >= classes) {
                    throw new InputException(in.batch() + ": labels[" + i + "] = " + raw[i] + " is outside the head's " + classes + " classes");
                }
                labels[i] = (int) raw[i];
            }
        }
        checkImages(in.batch(), images, labels.length, config);

        Tensor logits = model.forward(images);
        Tensor loss = CrossEntropy.crossEntropy(logits, labels);
        loss.backward();

        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("logits", logits.detach().to(Device.CPU));
        out.put("loss", loss.detach().to(Device.CPU));
        model.trainable().forEach((name, t) -> {
            Tensor g = t.grad() != null ? t.grad() : Tensor.zeros(t.dtype(), t.device(), t.shape());
            out.put("grad." + name, g.to(Device.CPU));
        });
        return out;
    }

    private static void checkImages(Path file, Tensor images, int count, ViTConfig c) {
        int[] want = {count, c.inChans(), c.imgSize(), c.imgSize()};
        if (images.rank() != 4 || images.size(0) != count || images.size(1) != c.inChans()
                || images.size(2) != c.imgSize() || images.size(3) != c.imgSize()) {
            throw new InputException(file + ": images has shape " + Shape.format(images.shape()) + " but the model and the "
                    + count + " labels need " + Shape.format(want));
        }
    }
}
