package dev.kora4j.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kora4j.data.DataSpec;
import dev.kora4j.data.Protocol;
import dev.kora4j.io.InputException;
import dev.kora4j.io.JsonFile;
import dev.kora4j.peft.AdapterConfig;
import dev.kora4j.peft.PeftType;
import dev.kora4j.train.Methods;
import dev.kora4j.train.TrainOptions;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SWEEP.json: the model, the data, the fixed training options and a grid of values per key that
 * {@link #expand()} turns into runs (every combination, times every seed). Paths are relative to the
 * file's folder and become absolute, so that every task of a cluster reads the same files (they
 * must be on a filesystem the workers share).
 *
 * <pre>
 * {
 *   "title": "LoRA vs KoRA",                          optional
 *   "model": "backbone/config.json",                  timm hub config
 *   "weights": "backbone/backbone.safetensors",       optional (timm's initialisation without)
 *   "source": {"data": "idx:mnist", "protocol": "corrected"},
 *   "transfer": {"data": "idx:digits-8x8", "shots": 10, "epochs": 20, "lr": 3e-3},   optional
 *   "train": {"epochs": 4, "batch": 64, "lr": 5e-3, "checkpoint_every": 50},        kora train's defaults otherwise
 *   "cka_images": 32,                                 CKA between blocks on the source (0: none)
 *   "grid": {"method": ["methods/lora.json", "methods/kora.json"], "rank": [4, 8], "lr": [1e-3, 5e-3]},
 *   "seeds": [0, 1, 2]
 * }
 * </pre>
 *
 * Grid keys: {@code method} (adapter configs, required), {@code rank}, {@code lora_alpha} and
 * {@code composition_dim} (put into the adapter config where the method has them; a method without
 * them runs once, not once per value) and the training options {@value #TRAIN_GRID_KEYS}.
 */
public record SweepSpec(Path file, String title, Path model, Path weights, DataSpec source, Protocol sourceProtocol,
                        ObjectNode train, DataSpec transferData, Protocol transferProtocol, int shots, ObjectNode transferTrain,
                        int ckaImages, Map<String, List<JsonNode>> grid, List<Long> seeds) {
    static final String TRAIN_GRID_KEYS = "epochs, batch, lr, weight_decay, warmup_steps, min_lr, clip_norm, label_smoothing";
    private static final List<String> OPTION_KEYS = List.of("epochs", "batch", "lr", "weight_decay", "warmup_steps", "min_lr",
            "clip_norm", "label_smoothing", "checkpoint_every", "workers", "shuffle");
    private static final List<String> ADAPTER_KEYS = List.of("rank", "lora_alpha", "composition_dim");
    /** How run ids abbreviate grid keys. */
    private static final Map<String, String> ID_PREFIX = Map.ofEntries(Map.entry("rank", "r"), Map.entry("lora_alpha", "alpha"),
            Map.entry("composition_dim", "dcomp"), Map.entry("epochs", "ep"), Map.entry("batch", "b"), Map.entry("lr", "lr"),
            Map.entry("weight_decay", "wd"), Map.entry("warmup_steps", "warmup"), Map.entry("min_lr", "minlr"),
            Map.entry("clip_norm", "clip"), Map.entry("label_smoothing", "ls"));

    public static SweepSpec read(Path file) {
        Path abs = file.toAbsolutePath().normalize();
        JsonFile json = JsonFile.read(abs);
        Path dir = abs.getParent();
        only(json, List.of("title", "model", "weights", "source", "transfer", "train", "cka_images", "grid", "seeds"));
        String title = json.string("title", "kora4j sweep");
        Path model = existing(json, "model", dir.resolve(json.string("model")));
        Path weights = json.has("weights") ? existing(json, "weights", dir.resolve(json.string("weights"))) : null;

        JsonFile source = json.object("source");
        only(source, List.of("data", "protocol"));
        DataSpec sourceData = data(source, dir);
        Protocol sourceProtocol = protocol(source);
        JsonFile train = json.object("train");
        only(train, OPTION_KEYS);
        options(train, 5, 1e-4, true, 0); // checked now, not in a task on a cluster

        DataSpec transferData = null;
        Protocol transferProtocol = null;
        int shots = 0;
        ObjectNode transferTrain = null;
        if (json.has("transfer")) {
            JsonFile t = json.object("transfer");
            List<String> keys = new ArrayList<>(List.of("data", "protocol", "shots"));
            keys.addAll(OPTION_KEYS);
            only(t, keys);
            transferData = data(t, dir);
            transferProtocol = protocol(t);
            shots = t.integer("shots", 1, 1_000_000);
            transferTrain = (ObjectNode) t.root().deepCopy();
            transferTrain.remove(List.of("data", "protocol", "shots"));
            options(JsonFile.parse(t.source(), transferTrain.toString()), 10, 1e-3, true, 0); // checked now
        }
        int cka = json.integer("cka_images", 32, 0, 100_000);

        JsonFile g = json.object("grid");
        Map<String, List<JsonNode>> grid = new LinkedHashMap<>();
        for (String key : g.keys()) {
            if (key.equals("seed") || key.equals("seeds")) {
                throw g.error(key, "belongs at the top level: \"seeds\": [0, 1, 2]");
            }
            if (!key.equals("method") && !ADAPTER_KEYS.contains(key) && !ID_PREFIX.containsKey(key)) {
                throw g.error(key, "is not a grid key; use method, rank, lora_alpha, composition_dim or " + TRAIN_GRID_KEYS);
            }
            JsonNode values = g.root().get(key);
            if (!values.isArray() || values.isEmpty()) {
                throw g.error(key, "must be a non-empty list of values");
            }
            List<JsonNode> list = new ArrayList<>();
            values.forEach(list::add);
            for (JsonNode v : list) {
                if (key.equals("method") ? !v.isTextual() : !v.isNumber()) {
                    throw g.error(key, "must list " + (key.equals("method") ? "adapter config files" : "numbers") + ", got " + v);
                }
            }
            if (new HashSet<>(list).size() != list.size()) {
                throw g.error(key, "lists a value twice: " + values);
            }
            grid.put(key, List.copyOf(list));
        }
        if (!grid.containsKey("method")) {
            throw g.error("method", "is missing: list the methods' adapter config files, e.g. [\"methods/lora.json\"]");
        }
        List<JsonNode> methods = new ArrayList<>();
        for (JsonNode m : grid.get("method")) {
            methods.add(com.fasterxml.jackson.databind.node.TextNode.valueOf(existing(g, "method", dir.resolve(m.asText())).toString()));
        }
        grid.put("method", List.copyOf(methods));

        List<Long> seeds = new ArrayList<>();
        if (json.has("seeds")) {
            JsonNode s = json.root().get("seeds");
            if (!s.isArray() || s.isEmpty()) {
                throw json.error("seeds", "must be a non-empty list of integers");
            }
            for (JsonNode v : s) {
                if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                    throw json.error("seeds", "must be a list of integers, got " + v);
                }
                seeds.add(v.asLong());
            }
            if (new HashSet<>(seeds).size() != seeds.size()) {
                throw json.error("seeds", "lists a seed twice: " + s);
            }
        } else {
            seeds.add(0L);
        }
        return new SweepSpec(abs, title, model, weights, sourceData, sourceProtocol, (ObjectNode) train.root().deepCopy(),
                transferData, transferProtocol, shots, transferTrain, cka, grid, List.copyOf(seeds));
    }

    /**
     * Every run: each method with each combination of the other grid keys that apply to it, in the
     * grid's order, each with every seed (the innermost loop).
     */
    public List<RunSpec> expand() {
        Map<Path, String> names = methodNames();
        List<String> keys = grid.keySet().stream().filter(k -> !k.equals("method")).toList();
        List<RunSpec> runs = new ArrayList<>();
        Set<String> configurations = new HashSet<>();
        Map<String, Integer> labels = new HashMap<>();
        List<List<RunSpec>> byConfiguration = new ArrayList<>();
        for (JsonNode m : grid.get("method")) {
            Path methodFile = Path.of(m.asText());
            JsonFile method = JsonFile.read(methodFile);
            PeftType type = AdapterConfig.parse(method).type();
            for (List<JsonNode> values : combinations(keys)) {
                ObjectNode adapter = (ObjectNode) method.root().deepCopy();
                ObjectNode options = train.deepCopy();
                Map<String, String> gridValues = new LinkedHashMap<>();
                gridValues.put("method", names.get(methodFile));
                StringBuilder id = new StringBuilder(names.get(methodFile));
                List<String> extra = new ArrayList<>();
                for (int i = 0; i < keys.size(); i++) {
                    String key = keys.get(i);
                    if (!applies(key, type)) {
                        continue;
                    }
                    JsonNode v = values.get(i);
                    switch (key) {
                        case "rank" -> adapter.set("r", v);
                        case "lora_alpha", "composition_dim" -> adapter.set(key, v);
                        default -> options.set(key, v);
                    }
                    gridValues.put(key, text(v));
                    id.append('-').append(ID_PREFIX.get(key)).append(text(v));
                    if (grid.get(key).size() > 1 && !shownByMethodLabel(key, type)) {
                        extra.add((key.equals("lora_alpha") ? "alpha" : key) + "=" + text(v));
                    }
                }
                String configuration = id.toString();
                if (!configurations.add(configuration)) {
                    continue; // a key that does not apply to this method: the same run again
                }
                String where = methodFile + " with " + gridValues;
                AdapterConfig config = AdapterConfig.parse(JsonFile.parse(where, adapter.toString()));
                TrainOptions sourceOptions = options(JsonFile.parse(where, options.toString()), 5, 1e-4, true, 0);
                String label = Methods.label(config) + (extra.isEmpty() ? "" : ", " + String.join(", ", extra));
                labels.merge(label, 1, Integer::sum);
                List<RunSpec> seedsOfIt = new ArrayList<>();
                for (long seed : seeds) {
                    RunSpec.Transfer transfer = transferData == null ? null : new RunSpec.Transfer(transferData.toString(),
                            transferProtocol.toString(), shots, transferOptions(seed));
                    seedsOfIt.add(new RunSpec(configuration + "-seed" + seed, configuration, label, family(type), gridValues, seed,
                            model.toString(), weights == null ? "" : weights.toString(), config.toJson(), source.toString(),
                            sourceProtocol.toString(), withSeed(sourceOptions, seed), transfer, ckaImages));
                }
                byConfiguration.add(seedsOfIt);
            }
        }
        for (List<RunSpec> group : byConfiguration) {
            for (RunSpec r : group) {
                // two configurations that tables would name alike (e.g. two LoRA files of one rank) are told apart by id
                runs.add(labels.get(r.label()) == 1 ? r : new RunSpec(r.id(), r.configuration(), r.label() + " [" + r.configuration() + "]",
                        r.family(), r.grid(), r.seed(), r.model(), r.weights(), r.adapterConfig(), r.sourceData(), r.sourceProtocol(),
                        r.sourceOptions(), r.transfer(), r.ckaImages()));
            }
        }
        return runs;
    }

    /** The settings every run shares, for the report. */
    public Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("spec", file.toString());
        s.put("model", model.toString());
        s.put("weights", weights == null ? "(timm's initialisation)" : weights.toString());
        s.put("source", source + " (" + sourceProtocol + " protocol)");
        s.put("train", train.toString());
        if (transferData != null) {
            s.put("transfer", transferData + " (" + transferProtocol + " protocol), " + shots + " per class, " + transferTrain);
        }
        s.put("cka_images", String.valueOf(ckaImages));
        grid.forEach((k, v) -> s.put("grid: " + k, k.equals("method")
                ? String.join(", ", methodNames().values()) : String.join(", ", v.stream().map(SweepSpec::text).toList())));
        s.put("seeds", seeds.toString());
        return s;
    }

    /** The source data's and transfer data's short names. */
    public String sourceLabel() {
        return source.label();
    }

    public String transferLabel() {
        return transferData == null ? null : transferData.label();
    }

    private Map<Path, String> methodNames() {
        Map<Path, String> names = new LinkedHashMap<>();
        Set<String> taken = new HashSet<>();
        for (JsonNode m : grid.get("method")) {
            Path p = Path.of(m.asText());
            String name = p.getFileName().toString().replaceFirst("(?i)\\.json$", "").replaceAll("[^A-Za-z0-9._-]", "_");
            if (!taken.add(name)) {
                throw new InputException(file + ": grid.method names two files called " + name + "; run ids need distinct names");
            }
            names.put(p, name);
        }
        return names;
    }

    /** One family per adapter type: the plots draw methods of one type in one colour. */
    private static String family(PeftType type) {
        return switch (type) {
            case LORA -> "LoRA";
            case KORA -> "KoRA";
            case KORA_SEED -> "Seed KoRA";
            case LINEAR_PROBE -> "Linear probe";
            case FULL -> "Full fine-tuning";
        };
    }

    /** kora transfer's defaults: 10 epochs (1 under the seed protocol), shuffled unless the seed protocol. */
    private TrainOptions transferOptions(long seed) {
        boolean seedProtocol = transferProtocol == Protocol.SEED;
        return options(JsonFile.parse(file + ": transfer", transferTrain.toString()), seedProtocol ? 1 : 10, 1e-3, !seedProtocol, seed);
    }

    private static TrainOptions withSeed(TrainOptions o, long seed) {
        return new TrainOptions(o.epochs(), o.batch(), o.lr(), o.weightDecay(), o.warmupSteps(), o.minLr(), o.clipNorm(),
                o.labelSmoothing(), seed, o.checkpointEvery(), o.workers(), o.shuffle());
    }

    private static boolean applies(String key, PeftType type) {
        return switch (key) {
            case "rank", "lora_alpha" -> type.hasAdapter();
            case "composition_dim" -> type == PeftType.KORA || type == PeftType.KORA_SEED;
            default -> true;
        };
    }

    /** Whether Methods.label already names the value. */
    private static boolean shownByMethodLabel(String key, PeftType type) {
        return (key.equals("rank") && (type == PeftType.LORA || type == PeftType.KORA))
                || (key.equals("composition_dim") && (type == PeftType.KORA || type == PeftType.KORA_SEED));
    }

    private List<List<JsonNode>> combinations(List<String> keys) {
        List<List<JsonNode>> out = new ArrayList<>();
        out.add(List.of());
        for (String key : keys) {
            List<List<JsonNode>> next = new ArrayList<>();
            for (List<JsonNode> prefix : out) {
                for (JsonNode v : grid.get(key)) {
                    List<JsonNode> c = new ArrayList<>(prefix);
                    c.add(v);
                    next.add(c);
                }
            }
            out = next;
        }
        return out;
    }

    /** A grid value as run ids and tables write it: 8, 0.001 (never 1.0E-3). */
    static String text(JsonNode v) {
        if (v.isTextual() || v.isIntegralNumber()) {
            return v.asText();
        }
        return new BigDecimal(v.asText()).stripTrailingZeros().toPlainString();
    }

    /** Training options from JSON, with kora train's (or kora transfer's) defaults for what is not given. */
    static TrainOptions options(JsonFile o, int defaultEpochs, double defaultLr, boolean defaultShuffle, long seed) {
        try {
            return new TrainOptions(o.integer("epochs", defaultEpochs, 1, 1_000_000), o.integer("batch", 32, 1, 1_000_000),
                    o.number("lr", defaultLr, Double.MIN_VALUE, 10), o.number("weight_decay", 0.01, 0, 10),
                    o.integer("warmup_steps", 0, 0, Integer.MAX_VALUE), o.number("min_lr", 0, 0, 10), o.number("clip_norm", 0, 0, 1e9),
                    o.number("label_smoothing", 0, 0, 0.999), seed, o.integer("checkpoint_every", 0, 0, Integer.MAX_VALUE),
                    o.integer("workers", 2, 0, 256), o.bool("shuffle", defaultShuffle));
        } catch (IllegalArgumentException e) {
            throw new InputException(o.source() + ": " + e.getMessage());
        }
    }

    private static void only(JsonFile json, List<String> allowed) {
        for (String key : json.keys()) {
            if (!allowed.contains(key)) {
                throw json.error(key, "is not a known key here (expected one of " + String.join(", ", allowed) + ")");
            }
        }
    }

    private static DataSpec data(JsonFile json, Path dir) {
        DataSpec d = DataSpec.parse(json.string("data"));
        return new DataSpec(d.kind(), dir.resolve(d.dir()).normalize());
    }

    private static Protocol protocol(JsonFile json) {
        try {
            return Protocol.parse(json.string("protocol", "corrected"));
        } catch (IllegalArgumentException e) {
            throw json.error("protocol", e.getMessage());
        }
    }

    private static Path existing(JsonFile json, String key, Path path) {
        Path p = path.normalize();
        if (!Files.isRegularFile(p)) {
            throw json.error(key, p + " is not a file");
        }
        return p;
    }
}
