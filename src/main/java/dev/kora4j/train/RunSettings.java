package dev.kora4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kora4j.io.AtomicWrite;
import dev.kora4j.io.InputException;
import dev.kora4j.io.JsonFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that defines a training run, kept as run.json in the run folder: the model config and
 * adapter config as they were (so the folder stands on its own), where the backbone weights and the
 * data came from, and the training options. A resumed run must match it; transfer, eval and cka
 * rebuild the trained model from it.
 */
public record RunSettings(String modelConfigJson, String weights, String adapterConfigJson, String data, String protocol,
                          int numClasses, TrainOptions options) {
    public static final String FILE = "run.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public void write(Path runDir) {
        ObjectNode o = JSON.createObjectNode();
        o.put("schema", "kora4j-run/1");
        o.set("model_config", parse(modelConfigJson));
        o.put("weights", weights);
        o.set("adapter_config", parse(adapterConfigJson));
        o.put("data", data);
        o.put("protocol", protocol);
        o.put("num_classes", numClasses);
        o.set("options", JSON.valueToTree(optionsMap()));
        try {
            byte[] bytes = (JSON.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
            AtomicWrite.write(runDir.resolve(FILE), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + runDir.resolve(FILE), e);
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, Object> optionsMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", options.epochs());
        m.put("batch", options.batch());
        m.put("lr", options.lr());
        m.put("weight_decay", options.weightDecay());
        m.put("warmup_steps", options.warmupSteps());
        m.put("min_lr", options.minLr());
        m.put("clip_norm", options.clipNorm());
        m.put("label_smoothing", options.labelSmoothing());
        m.put("seed", options.seed());
        m.put("checkpoint_every", options.checkpointEvery());
        m.put("workers", options.workers());
        m.put("shuffle", options.shuffle());
        return m;
    }

    public static RunSettings read(Path runDir) {
        Path file = runDir.resolve(FILE);
        JsonFile json = JsonFile.read(file);
        if (!"kora4j-run/1".equals(json.string("schema", ""))) {
            throw new InputException(file + ": not a kora4j run description (schema kora4j-run/1)");
        }
        JsonFile o = json.object("options");
        TrainOptions options;
        try {
            options = new TrainOptions(o.integer("epochs", 1, 1_000_000), o.integer("batch", 1, 1_000_000),
                    o.number("lr", 0, 0, 10), o.number("weight_decay", 0, 0, 10), o.integer("warmup_steps", 0, 0, Integer.MAX_VALUE),
                    o.number("min_lr", 0, 0, 10), o.number("clip_norm", 0, 0, 1e9), o.number("label_smoothing", 0, 0, 1),
                    json.object("options").root().path("seed").asLong(), o.integer("checkpoint_every", 0, 0, Integer.MAX_VALUE),
                    o.integer("workers", 0, 0, 256), o.bool("shuffle", true));
        } catch (IllegalArgumentException e) {
            throw new InputException(file + ": " + e.getMessage());
        }
        return new RunSettings(json.object("model_config").root().toString(), json.string("weights", ""),
                json.object("adapter_config").root().toString(), json.string("data"), json.string("protocol", "corrected"),
                json.integer("num_classes", 1, 1_000_000), options);
    }
}
