package dev.kora4j.peft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kora4j.io.JsonFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * adapter_config.json: PEFT's LoRA keys (peft_type, r, lora_alpha, target_modules, exclude_modules,
 * layers_to_transform, layers_pattern, rank_pattern, alpha_pattern, modules_to_save, lora_dropout,
 * bias, use_rslora, use_dora) plus KoRA's (composition_dim, lora_targets) and the seed KoRA's
 * (seed_alpha, train_final_projection). Keys PEFT writes for its own bookkeeping are ignored, as
 * PEFT's loader ignores keys it does not know; settings that would change the maths and are not
 * implemented are refused, one line naming the key. Which modules LORA adapts is PEFT's rule
 * ({@link TargetRule}); KORA and KORA_SEED, kora4j's own, adapt only the blocks' Linears their lists name.
 *
 * @param rule        LORA: which modules get an adapter; KORA, KORA_SEED: their target_modules (list or regex)
 * @param loraTargets KORA only: modules with plain LoRA beside the composition
 */
public record AdapterConfig(PeftType type, int r, double loraAlpha, boolean useRslora, boolean useDora, TargetRule rule,
                            PatternMap rankPattern, PatternMap alphaPattern, ModuleMatcher loraTargets, List<String> modulesToSave,
                            double loraDropout, int compositionDim, double seedAlpha, boolean trainFinalProjection) {

    public static final List<String> SEED_DEFAULT_TARGETS = List.of("qkv", "proj", "fc1", "fc2");
    /** PEFT's shorthand for every Linear (case does not matter). */
    static final String ALL_LINEAR = "all-linear";

    /** A config without an adapter: FULL or LINEAR_PROBE. */
    public static AdapterConfig of(PeftType type) {
        if (type.hasAdapter()) {
            throw new IllegalArgumentException(type + " needs its settings from adapter_config.json");
        }
        return new AdapterConfig(type, 0, 0, false, false, null, PatternMap.EMPTY, PatternMap.EMPTY, ModuleMatcher.of(List.of()),
                List.of("head"), 0, 0, 0, false);
    }

    /** target_modules: the list or regex it holds (null with "all-linear"). */
    public ModuleMatcher targets() {
        return rule == null ? null : rule.targets();
    }

    /** PEFT's scaling s: lora_alpha / r, or lora_alpha / √r with rsLoRA. */
    public double scaling() {
        return scaling(r, loraAlpha);
    }

    private double scaling(int rank, double alpha) {
        return useRslora ? alpha / Math.sqrt(rank) : alpha / rank;
    }

    /** The rank of one module: rank_pattern's, else r. */
    public int rankOf(String module) {
        return (int) rankPattern.valueFor(module, r);
    }

    /** The scaling of one module, with rank_pattern's r and alpha_pattern's alpha where they name it. */
    public double scalingOf(String module) {
        return scaling(rankOf(module), alphaPattern.valueFor(module, loraAlpha));
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
            return of(type);
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
        if (type != PeftType.LORA) {
            for (String key : List.of("use_dora", "exclude_modules", "layers_to_transform", "layers_pattern")) {
                if (json.has(key) && !(json.root().get(key).isBoolean() && !json.root().get(key).asBoolean())) {
                    throw json.error(key, "is only supported with peft_type LORA (" + type + " adapts the blocks' Linears its lists name)");
                }
            }
            for (String key : List.of("rank_pattern", "alpha_pattern")) {
                if (json.has(key) && !json.root().get(key).isEmpty()) {
                    throw json.error(key, "is only supported with peft_type LORA");
                }
            }
        }
        TargetRule rule = type == PeftType.LORA ? rule(json, save) : new TargetRule(
                matcher(json, "target_modules", type == PeftType.KORA_SEED ? SEED_DEFAULT_TARGETS : null),
                ModuleMatcher.of(List.of()), List.of(), null);
        ModuleMatcher loraTargets = type == PeftType.KORA ? matcher(json, "lora_targets", List.of()) : ModuleMatcher.of(List.of());
        int dcomp = type == PeftType.LORA ? 0 : json.integer("composition_dim", 1, 4096);
        double seedAlpha = type == PeftType.KORA_SEED ? json.number("seed_alpha", 1.0, -1e6, 1e6) : 0;
        boolean trainFinal = type == PeftType.KORA_SEED && json.bool("train_final_projection", false);
        return new AdapterConfig(type, r, alpha, rslora, type == PeftType.LORA && json.bool("use_dora", false), rule,
                patterns(json, "rank_pattern", true), patterns(json, "alpha_pattern", false), loraTargets, List.copyOf(save),
                dropout, dcomp, seedAlpha, trainFinal);
    }

    /** LORA's choice of modules: target_modules, exclude_modules, modules_to_save, layers_to_transform and layers_pattern. */
    private static TargetRule rule(JsonFile json, List<String> save) {
        boolean allLinear = json.has("target_modules") && json.root().get("target_modules").isTextual()
                && json.string("target_modules").equalsIgnoreCase(ALL_LINEAR);
        ModuleMatcher targets = allLinear ? null : matcher(json, "target_modules", null);
        if (!allLinear && targets == null) {
            throw json.error("target_modules", "is missing: name the modules to adapt (e.g. [\"qkv\", \"proj\", \"fc1\", \"fc2\"])");
        }
        boolean regex = allLinear || targets.isRegex();
        for (String key : List.of("layers_to_transform", "layers_pattern")) {
            if (regex && json.has(key)) {
                throw json.error(key, "cannot be used when target_modules is a string (PEFT refuses it too)");
            }
        }
        List<Integer> layers = layerIndexes(json);
        List<String> patterns = layersPatterns(json);
        if (!patterns.isEmpty() && layers == null) {
            throw json.error("layers_pattern", "needs layers_to_transform (PEFT refuses it alone too)");
        }
        ModuleMatcher exclude = matcher(json, "exclude_modules", List.of());
        return new TargetRule(targets, exclude, TargetRule.savedModules(save, json.source() + ": modules_to_save"),
                layers == null || layers.isEmpty() ? null : LayerSelection.of(layers, patterns, json.source() + ": layers_pattern"));
    }

    /** layers_to_transform: null, one index, or a list of them. */
    private static List<Integer> layerIndexes(JsonFile json) {
        if (!json.has("layers_to_transform")) {
            return null;
        }
        JsonNode n = json.root().get("layers_to_transform");
        List<Integer> out = new ArrayList<>();
        for (JsonNode item : n.isArray() ? n : List.of(n)) {
            if (!item.isIntegralNumber() || !item.canConvertToInt() || item.asInt() < 0) {
                throw json.error("layers_to_transform", "must be a layer index or a list of them (whole numbers from 0), got " + n);
            }
            out.add(item.asInt());
        }
        return out;
    }

    /** layers_pattern: null, one pattern or a list of them. */
    private static List<String> layersPatterns(JsonFile json) {
        if (!json.has("layers_pattern")) {
            return List.of();
        }
        JsonNode n = json.root().get("layers_pattern");
        return n.isTextual() ? (n.asText().isEmpty() ? List.of() : List.of(n.asText())) : json.strings("layers_pattern", List.of());
    }

    /** A list of module names, or one string taken as a regex of the whole name (PEFT's rule); the fallback when absent. */
    private static ModuleMatcher matcher(JsonFile json, String key, List<String> fallback) {
        if (!json.has(key)) {
            return fallback == null ? null : ModuleMatcher.of(fallback);
        }
        if (json.root().get(key).isTextual()) {
            return ModuleMatcher.regex(json.string(key), json.source() + ": " + key);
        }
        return ModuleMatcher.of(json.strings(key, fallback));
    }

    /** rank_pattern (whole numbers from 1) or alpha_pattern (numbers), in the file's order. */
    private static PatternMap patterns(JsonFile json, String key, boolean ranks) {
        JsonFile map = json.object(key);
        Map<String, Double> entries = new LinkedHashMap<>();
        for (String name : map.keys()) {
            entries.put(name, ranks ? map.integer(name, 1, 4096) : map.number(name, 0, 0, 1e6));
        }
        return PatternMap.of(entries, json.source() + ": " + key);
    }

    /** PEFT settings that change the maths and are not implemented here, each with the value that is. */
    private static void refuse(JsonFile json) {
        for (String key : List.of("fan_in_fan_out", "lora_bias", "use_qalora", "use_bdlora")) {
            if (json.bool(key, false)) {
                throw json.error(key, "is not supported (must be false)");
            }
        }
        for (String key : List.of("layer_replication", "target_parameters", "trainable_token_indices", "alora_invocation_tokens",
                "arrow_config", "kasa_config", "monteclora_config", "velora_config", "megatron_config")) {
            if (json.has(key)) {
                throw json.error(key, "is not supported (must be null)");
            }
        }
        if (json.has("init_lora_weights") && !json.root().get("init_lora_weights").isBoolean()) {
            throw json.error("init_lora_weights", "is not supported except true or false (other initialisations change the base weights)");
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
        m.put("lora_alpha", number(loraAlpha));
        m.put("use_rslora", useRslora);
        m.put("target_modules", rule.allLinear() ? ALL_LINEAR : rule.targets().toJsonValue());
        m.put("modules_to_save", modulesToSave.isEmpty() ? null : modulesToSave);
        if (type == PeftType.LORA) {
            m.put("use_dora", useDora);
            m.put("exclude_modules", rule.exclude().isEmpty() ? null : rule.exclude().toJsonValue());
            m.put("layers_to_transform", rule.layers() == null ? null : rule.layers().indexes());
            m.put("layers_pattern", rule.layers() == null || rule.layers().patterns().isEmpty() ? null : rule.layers().patterns());
            m.put("rank_pattern", numbers(rankPattern));
            m.put("alpha_pattern", numbers(alphaPattern));
        }
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

    /** A whole number as an integer (PEFT writes lora_alpha 8, not 8.0). */
    private static Object number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? (Object) (long) v : v;
    }

    private static Map<String, Object> numbers(PatternMap p) {
        Map<String, Object> out = new LinkedHashMap<>();
        p.entries().forEach((k, v) -> out.put(k, number(v)));
        return out;
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
