package dev.kora4j.report;

import dev.kora4j.metrics.CkaMatrix;
import dev.kora4j.metrics.Evaluation;
import dev.kora4j.metrics.ParamCount;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of one method on one task: what the trainer fills after a training (source) or transfer
 * run, and what results.json, metrics.csv, the plots and report.md are made from.
 *
 * @param method the method's name as tables show it, e.g. "LoRA (r=8)" or "KoRA (d_comp=4)"; a source
 *     and a transfer run of the same method share it, which is how the report pairs them
 * @param phase source task (training) or transfer task
 * @param dataset e.g. "cifar100" or "tinyimagenet"
 * @param seed the run's random seed
 * @param config the run's settings as text, in the order given (learning rate, epochs, batch, rank, …)
 * @param params trainable and total parameters; null when not counted
 * @param epochs per-epoch numbers, in order (may be empty)
 * @param evaluation the final evaluation (the seed reports the last epoch's)
 * @param cka CKA between feature sets (e.g. class token after blocks 0, 6, 11); null when not measured
 * @param seconds wall time of the whole run; NaN when not measured
 * @param warnings anything the trainer wants the reader to know, one sentence each
 */
public record RunResult(
        String method,
        Phase phase,
        String dataset,
        long seed,
        Map<String, String> config,
        ParamCount params,
        List<EpochMetrics> epochs,
        Evaluation evaluation,
        CkaMatrix cka,
        double seconds,
        List<String> warnings) {

    /** Which task a run reports on. */
    public enum Phase {
        SOURCE,
        TRANSFER;

        /** "source" or "transfer", as files write it. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Phase parse(String label) {
            for (Phase p : values()) {
                if (p.label().equals(label)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("unknown phase '" + label + "' (expected source or transfer)");
        }
    }

    public RunResult {
        if (method == null || method.isBlank()) {
            throw new IllegalArgumentException("a run needs a method name");
        }
        if (phase == null) {
            throw new IllegalArgumentException(method + ": the phase is missing");
        }
        if (evaluation == null) {
            throw new IllegalArgumentException(method + ": the final evaluation is missing");
        }
        dataset = dataset == null ? "" : dataset;
        config = Collections.unmodifiableMap(new LinkedHashMap<>(config == null ? Map.of() : config));
        epochs = List.copyOf(epochs == null ? List.of() : epochs);
        warnings = List.copyOf(warnings == null ? List.of() : warnings);
        for (int i = 1; i < epochs.size(); i++) {
            if (epochs.get(i).epoch() <= epochs.get(i - 1).epoch()) {
                throw new IllegalArgumentException(method + ": epochs must be in increasing order, got "
                        + epochs.get(i - 1).epoch() + " then " + epochs.get(i).epoch());
            }
        }
    }

    /** "KoRA (d_comp=4), transfer": how warnings and logs name the run. */
    public String title() {
        return method + ", " + phase.label();
    }
}
