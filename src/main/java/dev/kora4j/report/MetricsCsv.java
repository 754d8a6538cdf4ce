package dev.kora4j.report;

import dev.kora4j.stats.Interval;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * metrics.csv: one row per epoch per run, after a header row; RFC 4180 (comma-separated, CRLF line
 * ends, a field with a comma, quote, CR or LF inside double quotes with quotes doubled). Numbers
 * are written with all their digits ({@link Double#toString}); an unmeasured number (NaN) is an empty
 * field. A run without epochs has no rows. The last four columns are the 95 % intervals of the final
 * evaluation's accuracy (Wilson) and weighted F1 (bootstrap over the images), given on the row of the
 * epoch that evaluation is (the last) and empty on the others.
 */
public final class MetricsCsv {
    public static final String FILE_NAME = "metrics.csv";
    public static final List<String> HEADER = List.of(
            "method", "phase", "dataset", "seed", "epoch", "train_loss", "val_loss", "val_accuracy", "val_f1", "seconds",
            "val_accuracy_low", "val_accuracy_high", "val_f1_low", "val_f1_high");

    private MetricsCsv() {}

    public static void write(Experiment experiment, Path file) throws IOException {
        AtomicBytes.write(file, toCsv(experiment));
    }

    public static String toCsv(Experiment experiment) {
        StringBuilder out = new StringBuilder();
        row(out, HEADER);
        for (RunResult r : experiment.runs()) {
            for (EpochMetrics m : r.epochs()) {
                boolean last = m == r.epochs().getLast();
                Interval accuracy = last ? r.evaluation().accuracyInterval() : null, f1 = last ? r.evaluation().weightedF1Interval() : null;
                row(out, List.of(r.method(), r.phase().label(), r.dataset(), Long.toString(r.seed()), Integer.toString(m.epoch()),
                        number(m.trainLoss()), number(m.valLoss()), number(m.valAccuracy()), number(m.valF1()), number(m.seconds()),
                        accuracy == null ? "" : number(accuracy.lower()), accuracy == null ? "" : number(accuracy.upper()),
                        f1 == null ? "" : number(f1.lower()), f1 == null ? "" : number(f1.upper())));
            }
        }
        return out.toString();
    }

    static void row(StringBuilder out, List<String> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(field(fields.get(i)));
        }
        out.append("\r\n");
    }

    static String field(String value) {
        boolean quote = value.indexOf(',') >= 0 || value.indexOf('"') >= 0 || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0;
        return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
    }

    private static String number(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "";
    }
}
