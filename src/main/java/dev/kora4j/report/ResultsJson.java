package dev.kora4j.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kora4j.io.InputException;
import dev.kora4j.metrics.CkaMatrix;
import dev.kora4j.metrics.Evaluation;
import dev.kora4j.metrics.ImagePredictions;
import dev.kora4j.metrics.LabelCollapse;
import dev.kora4j.metrics.ParamCount;
import dev.kora4j.stats.Interval;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * results.json: an {@link Experiment} as JSON, written atomically, and read back to the same values.
 *
 * <p>Schema {@value #SCHEMA} (keys in this order; a number that was not measured, NaN in Java, is
 * {@code null}; doubles are written with all their digits, so they read back exactly):
 *
 * <pre>
 * {
 *   "schema": "kora4j-results/1",
 *   "title": string,
 *   "settings": {string: string, ...},            shared by all runs, in order
 *   "warnings": [string, ...],                    about the whole experiment
 *   "headline": [string, string],                 optional: the two methods the report leads with comparing
 *   "runs": [
 *     {
 *       "method": string,                         e.g. "LoRA (r=8)"
 *       "phase": "source" | "transfer",
 *       "dataset": string,
 *       "seed": integer,
 *       "config": {string: string, ...},          the run's settings as text, in order
 *       "params": null | {"trainable": integer, "total": integer,
 *                         "percent": number},     percent = 100·trainable/total, derived
 *       "epochs": [{"epoch": integer (from 1), "train_loss": number, "val_loss": number,
 *                   "val_accuracy": number, "val_f1": number, "seconds": number}, ...],
 *       "final": {"samples": integer, "loss": number, "accuracy": number,
 *                 "f1_weighted": number,          scikit-learn f1_score(average='weighted'), the seed's F1
 *                 "f1_macro": number,             scikit-learn f1_score(average='macro')
 *                 "true_classes": integer,        distinct classes among the true labels
 *                 "collapsed_to": null | integer, the only true class, when there is one
 *                 "identity_f1": null | number,   2·acc/(1+acc) when collapsed, derived
 *                 "accuracy_ci": null | [low, high],       Wilson's 95 % interval over the images, derived
 *                 "f1_weighted_ci": null | [low, high],    95 % percentile bootstrap over the images
 *                 "predictions": null | {"labels": [integer, ...], "predicted": [integer, ...]}},
 *                                                  every image's true and predicted class, in order
 *       "cka": null | {"labels": [string, ...], "matrix": [[number, ...], ...]},
 *       "timings": {"seconds": number},           wall time of the run
 *       "warnings": [string, ...]
 *     }, ...
 *   ]
 * }
 * </pre>
 *
 * Derived values ({@code percent}, {@code identity_f1}, {@code accuracy_ci}) are for readers of the file;
 * reading ignores them. Files written before intervals and predictions were kept lack the last three
 * keys of "final"; they read as null.
 */
public final class ResultsJson {
    public static final String SCHEMA = "kora4j-results/1";
    public static final String FILE_NAME = "results.json";

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private ResultsJson() {}

    public static void write(Experiment experiment, Path file) throws IOException {
        AtomicBytes.write(file, toJson(experiment));
    }

    public static String toJson(Experiment e) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schema", SCHEMA);
        root.put("title", e.title());
        root.set("settings", strings(e.settings()));
        root.set("warnings", strings(e.warnings()));
        if (!e.headline().isEmpty()) {
            root.set("headline", strings(e.headline()));
        }
        ArrayNode runs = root.putArray("runs");
        for (RunResult r : e.runs()) {
            runs.add(run(r));
        }
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot write results as JSON", ex); // a tree of plain nodes always serialises
        }
    }

    private static ObjectNode run(RunResult r) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("method", r.method());
        o.put("phase", r.phase().label());
        o.put("dataset", r.dataset());
        o.put("seed", r.seed());
        o.set("config", strings(r.config()));
        if (r.params() == null) {
            o.putNull("params");
        } else {
            ObjectNode p = o.putObject("params");
            p.put("trainable", r.params().trainable());
            p.put("total", r.params().total());
            p.put("percent", r.params().percent());
        }
        ArrayNode epochs = o.putArray("epochs");
        for (EpochMetrics m : r.epochs()) {
            ObjectNode em = epochs.addObject();
            em.put("epoch", m.epoch());
            number(em, "train_loss", m.trainLoss());
            number(em, "val_loss", m.valLoss());
            number(em, "val_accuracy", m.valAccuracy());
            number(em, "val_f1", m.valF1());
            number(em, "seconds", m.seconds());
        }
        Evaluation ev = r.evaluation();
        ObjectNode f = o.putObject("final");
        f.put("samples", ev.samples());
        number(f, "loss", ev.loss());
        number(f, "accuracy", ev.accuracy());
        number(f, "f1_weighted", ev.weightedF1());
        number(f, "f1_macro", ev.macroF1());
        f.put("true_classes", ev.labels().distinctLabels());
        if (ev.labels().collapsed()) {
            f.put("collapsed_to", ev.labels().label());
            number(f, "identity_f1", ev.identityF1());
        } else {
            f.putNull("collapsed_to");
            f.putNull("identity_f1");
        }
        interval(f, "accuracy_ci", ev.accuracyInterval());
        interval(f, "f1_weighted_ci", ev.weightedF1Interval());
        if (ev.predictions() == null) {
            f.putNull("predictions");
        } else {
            ObjectNode p = f.putObject("predictions");
            ints(p.putArray("labels"), ev.predictions().labels());
            ints(p.putArray("predicted"), ev.predictions().predicted());
        }
        if (r.cka() == null) {
            o.putNull("cka");
        } else {
            ObjectNode c = o.putObject("cka");
            ArrayNode labels = c.putArray("labels");
            r.cka().labels().forEach(labels::add);
            ArrayNode matrix = c.putArray("matrix");
            for (int i = 0; i < r.cka().size(); i++) {
                ArrayNode row = matrix.addArray();
                for (int j = 0; j < r.cka().size(); j++) {
                    double v = r.cka().get(i, j);
                    if (Double.isFinite(v)) {
                        row.add(v);
                    } else {
                        row.addNull();
                    }
                }
            }
        }
        number(o.putObject("timings"), "seconds", r.seconds());
        o.set("warnings", strings(r.warnings()));
        return o;
    }

    private static void number(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, v);
        } else {
            o.putNull(key);
        }
    }

    private static void interval(ObjectNode o, String key, Interval i) {
        if (i == null) {
            o.putNull(key);
        } else {
            ArrayNode a = o.putArray(key);
            a.add(i.lower());
            a.add(i.upper());
        }
    }

    private static void ints(ArrayNode a, int[] values) {
        for (int v : values) {
            a.add(v);
        }
    }

    private static ObjectNode strings(Map<String, String> map) {
        ObjectNode o = MAPPER.createObjectNode();
        map.forEach(o::put);
        return o;
    }

    private static ArrayNode strings(List<String> list) {
        ArrayNode a = MAPPER.createArrayNode();
        list.forEach(a::add);
        return a;
    }

    // ---- reading ------------------------------------------------------------------------------

    public static Experiment read(Path file) {
        String source = file.toString();
        try {
            return parse(source, Files.readString(file));
        } catch (NoSuchFileException ex) {
            throw new InputException(source + ": no such file");
        } catch (IOException ex) {
            throw new InputException(source + ": cannot be read (" + ex.getMessage() + ")");
        }
    }

    /** Parses results.json text; errors name {@code source} and the key, e.g. "runs[1].final.accuracy". */
    public static Experiment parse(String source, String text) {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException ex) {
            throw new InputException(source + ": not valid JSON at line " + ex.getLocation().getLineNr() + ", column "
                    + ex.getLocation().getColumnNr());
        }
        Node r = new Node(source, "", root);
        r.requireObject();
        String schema = r.text("schema");
        if (!SCHEMA.equals(schema)) {
            throw r.error("schema", "is '" + schema + "', expected '" + SCHEMA + "'");
        }
        List<RunResult> runs = new ArrayList<>();
        for (Node run : r.array("runs")) {
            runs.add(readRun(run));
        }
        List<String> headline = r.has("headline") ? r.stringList("headline") : List.of();
        if (!headline.isEmpty() && headline.size() != 2) {
            throw r.error("headline", "must name two methods, got " + headline.size());
        }
        return new Experiment(r.text("title"), r.stringMap("settings"), runs, r.stringList("warnings"), headline);
    }

    private static RunResult readRun(Node n) {
        n.requireObject();
        RunResult.Phase phase;
        String phaseText = n.text("phase");
        try {
            phase = RunResult.Phase.parse(phaseText);
        } catch (IllegalArgumentException ex) {
            throw n.error("phase", "must be \"source\" or \"transfer\", got \"" + phaseText + "\"");
        }
        ParamCount params = null;
        Node p = n.child("params");
        if (!p.isNull()) {
            p.requireObject();
            long trainable = p.integer("trainable"), total = p.integer("total");
            if (total < 1 || trainable < 0 || trainable > total) {
                throw p.error("trainable", "and total must satisfy 0 ≤ trainable ≤ total, total ≥ 1; got " + trainable + " and " + total);
            }
            params = new ParamCount(trainable, total);
        }
        List<EpochMetrics> epochs = new ArrayList<>();
        for (Node e : n.array("epochs")) {
            e.requireObject();
            long epoch = e.integer("epoch");
            if (epoch < 1 || epoch > Integer.MAX_VALUE) {
                throw e.error("epoch", "must be a whole number from 1, got " + epoch);
            }
            if (!epochs.isEmpty() && epoch <= epochs.getLast().epoch()) {
                throw e.error("epoch", "must increase from one entry to the next, got " + epoch + " after " + epochs.getLast().epoch());
            }
            epochs.add(new EpochMetrics((int) epoch, e.number("train_loss"), e.number("val_loss"), e.number("val_accuracy"),
                    e.number("val_f1"), e.number("seconds")));
        }
        Node f = n.child("final");
        f.requireObject();
        long classes = f.integer("true_classes");
        Node collapsedTo = f.child("collapsed_to");
        long only = collapsedTo.isNull() ? -1 : collapsedTo.asInteger();
        if (classes < 0 || classes > Integer.MAX_VALUE || (classes == 1) != (only >= 0) || only > Integer.MAX_VALUE) {
            throw f.error("collapsed_to", "must be the only class when true_classes is 1, and null otherwise");
        }
        long samples = f.integer("samples");
        if (samples < 0) {
            throw f.error("samples", "must be ≥ 0, got " + samples);
        }
        Evaluation evaluation = new Evaluation(samples, f.number("loss"), f.number("accuracy"), f.number("f1_weighted"),
                f.number("f1_macro"), new LabelCollapse((int) classes, (int) only), readInterval(f, "f1_weighted_ci"), readPredictions(f, samples));
        CkaMatrix cka = null;
        Node c = n.child("cka");
        if (!c.isNull()) {
            c.requireObject();
            List<String> labels = c.stringList("labels");
            List<Node> rows = c.array("matrix");
            if (rows.size() != labels.size()) {
                throw c.error("matrix", "has " + rows.size() + " rows for " + labels.size() + " labels");
            }
            double[][] values = new double[rows.size()][];
            for (int i = 0; i < rows.size(); i++) {
                List<Node> row = rows.get(i).elements();
                if (row.size() != labels.size()) {
                    throw rows.get(i).error(null, "has " + row.size() + " values for " + labels.size() + " labels");
                }
                values[i] = new double[row.size()];
                for (int j = 0; j < row.size(); j++) {
                    values[i][j] = row.get(j).asNumber();
                }
            }
            cka = new CkaMatrix(labels, values);
        }
        Node t = n.child("timings");
        t.requireObject();
        String method = n.text("method");
        if (method.isBlank()) {
            throw n.error("method", "must not be empty");
        }
        return new RunResult(method, phase, n.text("dataset"), n.integer("seed"), n.stringMap("config"), params, epochs,
                evaluation, cka, t.number("seconds"), n.stringList("warnings"));
    }

    /** An optional [low, high] pair, low ≤ high. */
    private static Interval readInterval(Node f, String key) {
        if (!f.has(key) || f.child(key).isNull()) {
            return null;
        }
        List<Node> bounds = f.array(key);
        if (bounds.size() != 2 || !(bounds.get(0).asNumber() <= bounds.get(1).asNumber())) {
            throw f.error(key, "must be [low, high] with low ≤ high");
        }
        return new Interval(bounds.get(0).asNumber(), bounds.get(1).asNumber());
    }

    /** The optional per-image predictions: one label and one prediction per sample, each a class index. */
    private static ImagePredictions readPredictions(Node f, long samples) {
        if (!f.has("predictions") || f.child("predictions").isNull()) {
            return null;
        }
        Node p = f.child("predictions");
        p.requireObject();
        int[] labels = p.classes("labels"), predicted = p.classes("predicted");
        if (labels.length != samples || predicted.length != samples) {
            throw p.error(null, "must hold one label and one prediction per sample (" + samples + "), got "
                    + labels.length + " and " + predicted.length);
        }
        return new ImagePredictions(labels, predicted);
    }

    /** A JSON value with its path, for error messages that say where. */
    private record Node(String source, String path, JsonNode json) {
        Node child(String key) {
            JsonNode v = json.get(key);
            if (v == null) {
                throw error(key, "is missing");
            }
            return new Node(source, where(key), v);
        }

        boolean isNull() {
            return json.isNull();
        }

        boolean has(String key) {
            return json.has(key);
        }

        /** A list of class indices (whole numbers from 0). */
        int[] classes(String key) {
            List<Node> items = array(key);
            int[] out = new int[items.size()];
            for (int i = 0; i < out.length; i++) {
                long v = items.get(i).asInteger();
                if (v < 0 || v > Integer.MAX_VALUE) {
                    throw items.get(i).error(null, "must be a class index (a whole number from 0), got " + v);
                }
                out[i] = (int) v;
            }
            return out;
        }

        void requireObject() {
            if (!json.isObject()) {
                throw error(null, "must be an object");
            }
        }

        String text(String key) {
            Node v = child(key);
            if (!v.json.isTextual()) {
                throw error(key, "must be a string");
            }
            return v.json.asText();
        }

        long integer(String key) {
            return child(key).asInteger();
        }

        long asInteger() {
            if (!json.isIntegralNumber() || !json.canConvertToLong()) {
                throw error(null, "must be a whole number, got " + json);
            }
            return json.asLong();
        }

        /** A number, or null for "not measured" (NaN). */
        double number(String key) {
            return child(key).asNumber();
        }

        double asNumber() {
            if (json.isNull()) {
                return Double.NaN;
            }
            if (!json.isNumber()) {
                throw error(null, "must be a number or null, got " + json);
            }
            return json.asDouble();
        }

        List<Node> array(String key) {
            return child(key).elements();
        }

        List<Node> elements() {
            if (!json.isArray()) {
                throw error(null, "must be a list");
            }
            List<Node> out = new ArrayList<>();
            for (int i = 0; i < json.size(); i++) {
                out.add(new Node(source, path + "[" + i + "]", json.get(i)));
            }
            return out;
        }

        List<String> stringList(String key) {
            List<String> out = new ArrayList<>();
            for (Node item : array(key)) {
                if (!item.json.isTextual()) {
                    throw item.error(null, "must be a string");
                }
                out.add(item.json.asText());
            }
            return out;
        }

        Map<String, String> stringMap(String key) {
            Node m = child(key);
            m.requireObject();
            Map<String, String> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : m.json.properties()) {
                if (!e.getValue().isTextual()) {
                    throw m.error(e.getKey(), "must be a string (settings are written as text)");
                }
                out.put(e.getKey(), e.getValue().asText());
            }
            return out;
        }

        private String where(String key) {
            return key == null ? path : path.isEmpty() ? key : path + "." + key;
        }

        InputException error(String key, String what) {
            String at = where(key);
            return new InputException(source + ": " + (at.isEmpty() ? "the top level" : at) + " " + what);
        }
    }
}
