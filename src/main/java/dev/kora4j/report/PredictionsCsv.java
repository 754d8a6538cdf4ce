package dev.kora4j.report;

import dev.kora4j.metrics.ImagePredictions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * predictions.csv: every evaluation image's true and predicted class, one row per image per run (in
 * the evaluation's order, image counting from 0), so that every statistic of a report can be
 * recomputed from it; the same CSV dialect as {@link MetricsCsv}. Runs whose predictions were not
 * kept (results.json files written before they were) have no rows.
 */
public final class PredictionsCsv {
    public static final String FILE_NAME = "predictions.csv";
    public static final List<String> HEADER = List.of("method", "phase", "dataset", "seed", "image", "label", "predicted");

    private PredictionsCsv() {}

    public static void write(Experiment experiment, Path file) throws IOException {
        AtomicBytes.write(file, toCsv(experiment));
    }

    public static String toCsv(Experiment experiment) {
        StringBuilder out = new StringBuilder();
        MetricsCsv.row(out, HEADER);
        for (RunResult r : experiment.runs()) {
            ImagePredictions p = r.evaluation().predictions();
            if (p == null) {
                continue;
            }
            int[] labels = p.labels(), predicted = p.predicted();
            String prefix = MetricsCsv.field(r.method()) + ',' + r.phase().label() + ',' + MetricsCsv.field(r.dataset()) + ',' + r.seed() + ',';
            for (int i = 0; i < labels.length; i++) {
                out.append(prefix).append(i).append(',').append(labels[i]).append(',').append(predicted[i]).append("\r\n");
            }
        }
        return out.toString();
    }
}
