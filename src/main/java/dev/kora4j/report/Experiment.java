package dev.kora4j.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything one output folder reports: several runs (usually each method on the source task and on
 * the transfer task) and the settings they share.
 *
 * @param title the report's heading
 * @param settings settings common to all runs, as text, in the order given (model, data, device, …)
 * @param runs the runs, in the order the tables list them
 * @param warnings warnings about the experiment as a whole, one sentence each
 * @param headline the two methods whose paired comparison the report leads with (the question the
 *     experiment asks, e.g. KoRA against LoRA), or none
 */
public record Experiment(String title, Map<String, String> settings, List<RunResult> runs, List<String> warnings, List<String> headline) {
    public Experiment {
        title = title == null || title.isBlank() ? "kora4j results" : title;
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(settings == null ? Map.of() : settings));
        runs = List.copyOf(runs == null ? List.of() : runs);
        warnings = List.copyOf(warnings == null ? List.of() : warnings);
        headline = List.copyOf(headline == null ? List.of() : headline);
        if (!headline.isEmpty() && headline.size() != 2) {
            throw new IllegalArgumentException("a headline names two methods, got " + headline);
        }
    }

    /** An experiment without a headline comparison. */
    public Experiment(String title, Map<String, String> settings, List<RunResult> runs, List<String> warnings) {
        this(title, settings, runs, warnings, List.of());
    }

    /** The method names in order of first appearance. */
    public List<String> methods() {
        Set<String> names = new LinkedHashSet<>();
        runs.forEach(r -> names.add(r.method()));
        return List.copyOf(names);
    }

    /** The runs of one phase, in order. */
    public List<RunResult> runs(RunResult.Phase phase) {
        return runs.stream().filter(r -> r.phase() == phase).toList();
    }

    /** The first run of a method in a phase, or null. */
    public RunResult find(String method, RunResult.Phase phase) {
        return runs.stream().filter(r -> r.method().equals(method) && r.phase() == phase).findFirst().orElse(null);
    }
}
