package dev.kora4j.peft;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kora4j.io.JsonFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * adapter_config.json: PEFT's keys (peft_type, r, lora_alpha, target_modules, modules_to_save,
 * lora_dropout, bias, use_rslora) plus KoRA's (composition_dim, lora_targets) and the seed KoRA's
 * (seed_alpha, train_final_projection). Keys PEFT writes for its own bookkeeping are ignored, as
 * PEFT's loader ignores keys it does not know; settings that would change the maths and are not
 * implemented are refused.
 *
 * @param targets     where the adapter goes: module-name suffixes or full paths, or one regex
 * @param loraTargets KORA only: modules with plain LoRA beside the composition
 */
public record AdapterConfig(PeftType type, int r, double loraAlpha, boolean useRslora, ModuleMatcher targets,
                            ModuleMatcher loraTargets, List<String> modulesToSave, double loraDropout, int compositionDim,
                            double seedAlpha, boolean trainFinalProjection) {

    public static final List<String> SEED_DEFAULT_TARGETS = List.of("qkv", "proj", "fc1", "fc2");

    /** A config without an adapter: FULL or LINEAR_PROBE. */
    public static AdapterConfig of(PeftType type) {
        if (type.hasAdapter()) {
            throw new IllegalArgumentException(type + " needs its settings from adapter_config.json");
        }
        return new AdapterConfig(type, 0, 0, false, ModuleMatcher.of(List.of()), ModuleMatcher.of(List.of()), List.of("head"), 0, 0, 0, false);
    }

    /** PEFT's scaling s: lora_alpha / r, or lora_alpha / √r with rsLoRA. */
    public double scaling() {
        return useRslora ? loraAlpha / Math.sqrt(r) : loraAlpha / r;
    }

    public boolean savesHead() {
        return modulesToSave.contains("head");
    }

    public static AdapterConfig read(Path path) {
        return parse(JsonFile.read(path));
    }

    public static AdapterConfig parse(JsonFile json) {
        String typeName = json.string("peft_type");
        PeftType type;
        try {
            type = PeftType.valueOf(typeName);
        } catch (IllegalArgumentException e) {
            throw json.error("peft_type", "'" + typeName + "' is not one of LORA, KORA, KORA_SEED, LINEAR_PROBE, FULL");
        }
        if (!type.hasAdapter()) {
            return new AdapterConfig(type, 0, 0, false, ModuleMatcher.of(List.of()), ModuleMatcher.of(List.of()),
                    List.of("head"), 0, 0, 0, false);
        }
        int r = json.integer("r", 8, 1, 4096);
        double alpha = json.number("lora_alpha", 8, 0, 1e6);
        boolean rslora = json.bool("use_rslora", false);
        double dropout = json.number("lora_dropout", 0, 0, 0.999);
        String bias = json.string("bias", "none");
        if (!bias.equals("none")) {
            throw json.error("bias", "'" + bias + "' is not supported (only \"none\": adapters train no biases of the base model)");
        }
        refuse(json);
        List<String> save = json.strings("modules_to_save", type == PeftType.KORA_SEED ? List.of("head") : List.of());
        for (String m : save) {
            if (!m.equals("head")) {
                throw json.error("modules_to_save", "may only name \"head\", got '" + m + "'");
            }
        }
        ModuleMatcher targets = matcher(json, "target_modules", type == PeftType.KORA_SEED ? SEED_DEFAULT_TARGETS : null);
        if (targets == null) {
            throw json.error("target_modules", "is missing: name the modules to adapt (e.g. [\"qkv\", \"proj\", \"fc1\", \"fc2\"])");
        }
        ModuleMatcher loraTargets = type == PeftType.KORA ? matcher(json, "lora_targets", List.of()) : ModuleMatcher.of(List.of());
        int dcomp = type == PeftType.LORA ? 0 : json.integer("composition_dim", 1, 4096);
        double seedAlpha = type == PeftType.KORA_SEED ? json.number("seed_alpha", 1.0, -1e6, 1e6) : 0;
        boolean trainFinal = type == PeftType.KORA_SEED && json.bool("train_final_projection", false);
        return new AdapterConfig(type, r, alpha, rslora, targets, loraTargets, List.copyOf(save), dropout, dcomp, seedAlpha, trainFinal);
    }

    /** target_modules: a list of suffixes/paths, or a string matched as a full regex (PEFT's rule). */
    private static ModuleMatcher matcher(JsonFile json, String key, List<String> fallback) {
        if (!json.has(key)) {
            return fallback == null ? null : ModuleMatcher.of(fallback);
        }
        if (json.root().get(key).isTextual()) {
            return ModuleMatcher.regex(json.string(key), json.source() + ": " + key);
        }
        return ModuleMatcher.of(json.strings(key, fallback));
    }

    /** PEFT settings that change the maths and are not implemented here. */
    private static void refuse(JsonFile json) {
        for (String key : Set.of("use_dora", "fan_in_fan_out", "lora_bias")) {
            if (json.bool(key, false)) {
                throw json.error(key, "is not supported (must be false)");
            }
        }
        for (String key : Set.of("rank_pattern", "alpha_pattern")) {
            if (json.has(key) && json.root().get(key).size() > 0) {
                throw json.error(key, "is not supported (must be empty)");
            }
        }
        for (String key : Set.of("layers_to_transform", "layers_pattern", "layer_replication", "exclude_modules", "target_parameters")) {
            if (json.has(key)) {
                throw json.error(key, "is not supported (must be null)");
            }
        }
        if (json.has("init_lora_weights") && !json.root().get("init_lora_weights").isBoolean()) {
            throw json.error("init_lora_weights", "is not supported except true or false");
        }
    }

    /** The config as adapter_config.json (PEFT's layout: sorted keys, two-space indent). */
    public String toJson() {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        TreeMap<String, Object> m = new TreeMap<>();
        m.put("peft_type", type.name());
        if (!type.hasAdapter()) {
            return write(mapper, m);
        }
        m.put("task_type", null);
        m.put("r", r);
        m.put("lora_alpha", loraAlpha == Math.rint(loraAlpha) ? (Object) (long) loraAlpha : loraAlpha);
        m.put("use_rslora", useRslora);
        m.put("target_modules", targets.toJsonValue());
        m.put("modules_to_save", modulesToSave.isEmpty() ? null : modulesToSave);
        m.put("lora_dropout", loraDropout);
        m.put("bias", "none");
        m.put("inference_mode", true);
        if (type == PeftType.KORA) {
            m.put("composition_dim", compositionDim);
            m.put("lora_targets", loraTargets.toJsonValue());
        }
        if (type == PeftType.KORA_SEED) {
            m.put("composition_dim", compositionDim);
            m.put("seed_alpha", seedAlpha);
            m.put("train_final_projection", trainFinalProjection);
        }
        return write(mapper, m);
    }

    private static String write(ObjectMapper mapper, TreeMap<String, Object> fields) {
        try {
            ObjectNode node = mapper.valueToTree(fields);
            return mapper.writeValueAsString(node) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write an adapter config", e);
        }
    }
}
