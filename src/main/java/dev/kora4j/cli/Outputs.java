package dev.kora4j.cli;

import dev.kora4j.metrics.Evaluation;
import dev.kora4j.report.RunResult;
import dev.kora4j.stats.Interval;
import java.util.LinkedHashMap;
import java.util.Map;

/** The one JSON line the pipeline commands print on stdout. */
final class Outputs {
    private Outputs() {}

    static Map<String, Object> evaluation(String command, String method, Evaluation e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("command", command);
        if (method != null) {
            out.put("method", method);
        }
        out.put("samples", e.samples());
        out.put("loss", Double.isFinite(e.loss()) ? e.loss() : null);
        out.put("accuracy", e.accuracy());
        out.put("accuracy_ci", bounds(e.accuracyInterval()));
        out.put("weighted_f1", e.weightedF1());
        out.put("weighted_f1_ci", bounds(e.weightedF1Interval()));
        out.put("macro_f1", e.macroF1());
        out.put("distinct_labels", e.labels().distinctLabels());
        return out;
    }

    /** [low, high] of a 95 % interval, or null. */
    private static double[] bounds(Interval i) {
        return i == null ? null : new double[] {i.lower(), i.upper()};
    }

    static void printEvaluation(String command, RunResult r) {
        Map<String, Object> out = evaluation(command, r.method(), r.evaluation());
        if (r.params() != null) {
            out.put("trainable_params", r.params().trainable());
            out.put("total_params", r.params().total());
        }
        out.put("seconds", Math.round(r.seconds() * 10) / 10.0);
        BenchCommand.printJson(out);
    }
}
