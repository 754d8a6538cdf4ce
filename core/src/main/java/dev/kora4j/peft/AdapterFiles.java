package dev.kora4j.peft;

import dev.kora4j.io.AtomicWrite;
import dev.kora4j.io.InputException;
import dev.kora4j.io.Safetensors;
import dev.kora4j.io.SafetensorsFile;
import dev.kora4j.nn.VisionTransformer;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** An adapter as PEFT stores one: a folder with adapter_config.json and adapter_model.safetensors. */
public final class AdapterFiles {
    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";

    private AdapterFiles() {}

    /** Writes both files (each whole or not at all). */
    public static void save(PeftModel model, Path dir) {
        if (!model.config().type().hasAdapter()) {
            throw new IllegalArgumentException("only a model with an adapter has adapter files");
        }
        try {
            java.nio.file.Files.createDirectories(dir);
            byte[] json = model.config().toJson().getBytes(StandardCharsets.UTF_8);
            AtomicWrite.write(dir.resolve(CONFIG), json);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(CONFIG), e);
        }
        Safetensors.write(dir.resolve(WEIGHTS), model.adapterTensors(), Map.of("format", "pt"));
    }

    /** Reads a saved adapter onto a backbone (which it freezes). */
    public static PeftModel load(VisionTransformer vit, Path dir) {
        AdapterConfig config = AdapterConfig.read(dir.resolve(CONFIG));
        PeftModel model = PeftModel.inject(vit, config, new Rng(0));
        model.loadAdapter(read(dir.resolve(WEIGHTS)), dir.resolve(WEIGHTS).toString());
        return model;
    }

    static Map<String, Tensor> read(Path file) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try (SafetensorsFile f = Safetensors.open(file)) {
            for (String name : f.names()) {
                Tensor t = f.tensor(name);
                if (t.dtype() != DType.F32) {
                    throw new InputException(file + ": " + name + " is " + t.dtype() + "; adapter tensors are F32, F16 or BF16");
                }
                tensors.put(name, t);
            }
        }
        return tensors;
    }
}
