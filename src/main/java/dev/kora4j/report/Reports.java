package dev.kora4j.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Writes every output of an experiment into one folder, each file whole or not at all:
 * {@value ResultsJson#FILE_NAME}, {@value MetricsCsv#FILE_NAME}, {@value PredictionsCsv#FILE_NAME}, the PNG plots that have data
 * ({@value #LOSS_PNG}, {@value #ACCURACY_PNG}, {@value #METHODS_PNG}, {@value #CKA_PNG}) and
 * {@value MarkdownReport#FILE_NAME}, which embeds the plots. The report is written last, so that
 * every file it names exists. Where this Java cannot draw text ({@link Plots#whyNoText}), the plots
 * are left out and the report's warnings say why.
 *
 * <pre>{@code
 * Experiment e = new Experiment("KoRA vs LoRA", Map.of("model", "vit_tiny"), List.of(loraSource, loraTransfer), List.of());
 * List<Path> written = Reports.writeAll(e, Path.of("demo-out"));
 * }</pre>
 */
public final class Reports {
    public static final String LOSS_PNG = "loss.png";
    public static final String ACCURACY_PNG = "accuracy.png";
    public static final String METHODS_PNG = "methods.png";
    public static final String CKA_PNG = "cka.png";

    private Reports() {}

    /** Writes all outputs into {@code folder} (created if needed) and returns the files written, in order. */
    public static List<Path> writeAll(Experiment experiment, Path folder) throws IOException {
        Files.createDirectories(folder);
        List<Path> written = new ArrayList<>();
        Path json = folder.resolve(ResultsJson.FILE_NAME);
        ResultsJson.write(experiment, json);
        written.add(json);
        Path csv = folder.resolve(MetricsCsv.FILE_NAME);
        MetricsCsv.write(experiment, csv);
        written.add(csv);
        Path predictions = folder.resolve(PredictionsCsv.FILE_NAME);
        PredictionsCsv.write(experiment, predictions);
        written.add(predictions);

        // one line or heat-map per run: with several seeds, the first seed's runs keep the plots readable
        long firstSeed = experiment.runs().stream().mapToLong(RunResult::seed).min().orElse(0);
        List<RunResult> shown = experiment.runs().stream().filter(r -> r.seed() == firstSeed).toList();
        String which = shown.size() < experiment.runs().size() ? " (seed " + firstSeed + ")" : "";
        List<MarkdownReport.Plot> plots = new ArrayList<>();
        Optional<String> noText = Plots.whyNoText();
        Experiment reported = experiment;
        if (noText.isEmpty()) {
            plot(folder, LOSS_PNG, "Loss per epoch" + which, Plots.lossCurves(shown), plots, written);
            plot(folder, ACCURACY_PNG, "Validation accuracy per epoch" + which, Plots.accuracyCurves(shown), plots, written);
            plot(folder, METHODS_PNG, "Accuracy and F1 by method", Plots.methodBars(experiment), plots, written);
            plot(folder, CKA_PNG, "CKA between feature sets" + which, Plots.ckaHeatMaps(shown), plots, written);
        } else {
            String warning = "The plots were not drawn: " + noText.get() + ".";
            System.err.println("warning: " + warning);
            List<String> warnings = new ArrayList<>(experiment.warnings());
            warnings.add(warning);
            reported = new Experiment(experiment.title(), experiment.settings(), experiment.runs(), warnings, experiment.headline());
        }

        Path md = folder.resolve(MarkdownReport.FILE_NAME);
        MarkdownReport.write(reported, plots, md);
        written.add(md);
        return written;
    }

    private static void plot(Path folder, String file, String title, Optional<byte[]> png, List<MarkdownReport.Plot> plots,
            List<Path> written) throws IOException {
        if (png.isEmpty()) {
            return;
        }
        Path target = folder.resolve(file);
        AtomicBytes.write(target, png.get());
        plots.add(new MarkdownReport.Plot(title, file));
        written.add(target);
    }
}
