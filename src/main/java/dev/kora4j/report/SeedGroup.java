package dev.kora4j.report;

import dev.kora4j.metrics.Evaluation;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * One configuration (a method with its settings) run with several seeds: what a sweep's report
 * summarises as mean ± std.
 *
 * @param label the configuration as tables name it, e.g. "LoRA (r=8), lr=0.001"
 * @param family the method it belongs to, e.g. "LoRA": plots give each family one colour
 * @param source its source-task runs, one per seed
 * @param transfer its transfer runs, one per seed, in the order of {@code source} (empty when there was no transfer)
 */
public record SeedGroup(String label, String family, List<RunResult> source, List<RunResult> transfer) {
    public SeedGroup {
        if (label == null || label.isBlank()) {
            throw new IllegalArgumentException("a configuration needs a label");
        }
        family = family == null || family.isBlank() ? label : family;
        source = List.copyOf(source);
        transfer = List.copyOf(transfer);
        if (!transfer.isEmpty() && transfer.size() != source.size()) {
            throw new IllegalArgumentException(label + ": " + source.size() + " source runs but " + transfer.size() + " transfer runs");
        }
    }

    public List<RunResult> runs(RunResult.Phase phase) {
        return phase == RunResult.Phase.SOURCE ? source : transfer;
    }

    /** Any number of a phase's runs over the seeds. */
    public MeanStd stat(RunResult.Phase phase, ToDoubleFunction<RunResult> value) {
        return MeanStd.of(runs(phase).stream().mapToDouble(value).toArray());
    }

    public MeanStd accuracy(RunResult.Phase phase) {
        return evaluation(phase, Evaluation::accuracy);
    }

    public MeanStd weightedF1(RunResult.Phase phase) {
        return evaluation(phase, Evaluation::weightedF1);
    }

    public MeanStd evaluation(RunResult.Phase phase, ToDoubleFunction<Evaluation> value) {
        return stat(phase, r -> value.applyAsDouble(r.evaluation()));
    }

    /** The seed tables' CKA Sim.: block-pair summary of each run's class-token CKA. */
    public MeanStd cka(RunResult.Phase phase) {
        return stat(phase, r -> r.cka() == null ? Double.NaN : r.cka().summary());
    }

    /** Parameters tuned in percent (the same for every seed of a configuration). */
    public MeanStd paramsPercent(RunResult.Phase phase) {
        return stat(phase, r -> r.params() == null ? Double.NaN : r.params().percent());
    }
}
