package dev.kora4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kora4j.io.InputException;
import dev.kora4j.train.TrainOptions;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One run of a sweep: a source training with one method and seed, then (optionally) a transfer.
 * It travels to its Spark task as JSON, and the run folder keeps the same JSON as
 * {@value #FILE}, so that a folder is only ever continued by the run that started it.
 *
 * @param id the run folder's name, e.g. "lora-r8-lr0.001-seed0"
 * @param configuration the id without the seed: runs that differ only in the seed share it
 * @param label how tables name the configuration, e.g. "LoRA (r=8), lr=0.001"
 * @param family the method the plots colour it as, e.g. "LoRA"
 * @param grid the grid's values for this run, as text, in the grid's order
 * @param adapterConfig the method's adapter_config.json with the grid's values put in
 * @param transfer null when the sweep has no transfer task
 * @param ckaImages images of the source evaluation split for CKA between blocks (0: none)
 */
public record RunSpec(String id, String configuration, String label, String family, Map<String, String> grid, long seed,
                      String model, String weights, String adapterConfig, String sourceData, String sourceProtocol,
                      TrainOptions sourceOptions, Transfer transfer, int ckaImages) {
    public static final String FILE = "sweep-run.json";
    private static final String SCHEMA = "kora4j-sweep-run/1";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The transfer task: a new head trained on {@code shots} images per class of {@code data}. */
    public record Transfer(String data, String protocol, int shots, TrainOptions options) {}

    public RunSpec {
        grid = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(grid));
        weights = weights == null ? "" : weights;
    }

    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("schema", SCHEMA);
        o.put("id", id);
        o.put("configuration", configuration);
        o.put("label", label);
        o.put("family", family);
        ObjectNode g = o.putObject("grid");
        grid.forEach(g::put);
        o.setAll(computed());
        try {
            return JSON.writeValueAsString(o) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("cannot write a run description", e); // a tree of plain nodes always serialises
        }
    }

    /** What decides the run's numbers (names and labels left out): a run folder is continued only when this matches. */
    public ObjectNode computed() {
        ObjectNode o = JSON.createObjectNode();
        o.put("seed", seed);
        o.put("model", model);
        o.put("weights", weights);
        o.set("adapter_config", tree(adapterConfig));
        ObjectNode s = o.putObject("source");
        s.put("data", sourceData);
        s.put("protocol", sourceProtocol);
        s.set("options", options(sourceOptions));
        if (transfer == null) {
            o.putNull("transfer");
        } else {
            ObjectNode t = o.putObject("transfer");
            t.put("data", transfer.data());
            t.put("protocol", transfer.protocol());
            t.put("shots", transfer.shots());
            t.set("options", options(transfer.options()));
        }
        o.put("cka_images", ckaImages);
        return o;
    }

    public static RunSpec parse(String source, String json) {
        JsonNode o = tree(json);
        if (!SCHEMA.equals(o.path("schema").asText())) {
            throw new InputException(source + ": not a sweep run description (schema " + SCHEMA + ")");
        }
        Map<String, String> grid = new LinkedHashMap<>();
        o.path("grid").properties().forEach(e -> grid.put(e.getKey(), e.getValue().asText()));
        JsonNode s = o.path("source"), t = o.path("transfer");
        Transfer transfer = t.isNull() || t.isMissingNode() ? null
                : new Transfer(t.path("data").asText(), t.path("protocol").asText(), t.path("shots").asInt(), options(t.path("options")));
        return new RunSpec(o.path("id").asText(), o.path("configuration").asText(), o.path("label").asText(), o.path("family").asText(),
                grid, o.path("seed").asLong(), o.path("model").asText(), o.path("weights").asText(), pretty(o.path("adapter_config")),
                s.path("data").asText(), s.path("protocol").asText(), options(s.path("options")), transfer, o.path("cka_images").asInt());
    }

    private static ObjectNode options(TrainOptions t) {
        ObjectNode o = JSON.createObjectNode();
        o.put("epochs", t.epochs());
        o.put("batch", t.batch());
        o.put("lr", t.lr());
        o.put("weight_decay", t.weightDecay());
        o.put("warmup_steps", t.warmupSteps());
        o.put("min_lr", t.minLr());
        o.put("clip_norm", t.clipNorm());
        o.put("label_smoothing", t.labelSmoothing());
        o.put("seed", t.seed());
        o.put("checkpoint_every", t.checkpointEvery());
        o.put("workers", t.workers());
        o.put("shuffle", t.shuffle());
        return o;
    }

    private static TrainOptions options(JsonNode o) {
        return new TrainOptions(o.path("epochs").asInt(), o.path("batch").asInt(), o.path("lr").asDouble(), o.path("weight_decay").asDouble(),
                o.path("warmup_steps").asInt(), o.path("min_lr").asDouble(), o.path("clip_norm").asDouble(),
                o.path("label_smoothing").asDouble(), o.path("seed").asLong(), o.path("checkpoint_every").asInt(),
                o.path("workers").asInt(), o.path("shuffle").asBoolean());
    }

    /** As AdapterConfig.toJson writes it (PEFT's layout), so that a parsed run equals the one written. */
    private static String pretty(JsonNode json) {
        try {
            return JSON.writeValueAsString(json) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new InputException("not valid JSON: " + e.getMessage());
        }
    }
}
