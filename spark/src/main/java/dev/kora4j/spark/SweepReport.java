package dev.kora4j.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kora4j.io.AtomicWrite;
import dev.kora4j.metrics.Evaluation;
import dev.kora4j.metrics.PythonFormat;
import dev.kora4j.report.Experiment;
import dev.kora4j.report.MarkdownReport;
import dev.kora4j.report.MeanStd;
import dev.kora4j.report.MetricsCsv;
import dev.kora4j.report.PairedComparison;
import dev.kora4j.report.PairedComparisons;
import dev.kora4j.report.Plots;
import dev.kora4j.report.PredictionsCsv;
import dev.kora4j.report.ResultsJson;
import dev.kora4j.report.RunResult;
import dev.kora4j.report.SeedGroup;
import dev.kora4j.stats.SeedSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The sweep's aggregate, made on the driver from what the tasks sent back: {@value #JSON} (every
 * configuration's mean ± std over its seeds, and every run's numbers), {@value #MARKDOWN} (the seed's
 * tables per configuration, the runs, the plots, warnings, settings), {@value #PARAMS_PNG},
 * {@value #SCATTER_PNG} and metrics.csv (every run's epochs).
 *
 * <p>sweep.json, schema {@value #SCHEMA} (a number that was not measured is null):
 * <pre>
 * {"schema", "title", "settings": {string: string},
 *  "configurations": [{"id", "label", "family", "grid": {key: value}, "runs": [id], "seeds": [seed],
 *                      "params": {"trainable", "total", "percent"},
 *                      "source" | "transfer": null | {"accuracy" | "f1_weighted" | "f1_macro" | "loss" | "cka":
 *                                                      {"mean", "std", "n"}, accuracy and F1 also "ci_low", "ci_high"}}],
 *  "runs": [{"id", "configuration", "seed", "status": "done" | "diverged", "message",
 *            "source" | "transfer": null | {"accuracy", "f1_weighted", "f1_macro", "loss", "cka", "seconds"}}],
 *  "comparisons": {"source" | "transfer": [{"a", "b", "accuracy_difference", "ci_low", "ci_high", "p_paired_t",
 *                  "p_paired_t_holm", "significant", "seeds": [{"seed", "accuracy_difference", "a_right_b_wrong",
 *                  "a_wrong_b_right", "p_mcnemar", "p_mcnemar_holm"}]}]},
 *  "warnings": [string]}
 * </pre>
 * The comparisons are {@link PairedComparisons}': every pair of configurations on the same test images.
 * std is the sample standard deviation (n − 1) over the seeds that finished; diverged runs are
 * listed but left out of the numbers.
 */
public final class SweepReport {
    public static final String SCHEMA = "kora4j-sweep/1";
    public static final String JSON = "sweep.json";
    public static final String MARKDOWN = "report.md";
    public static final String PARAMS_PNG = "accuracy-vs-params.png";
    public static final String SCATTER_PNG = "transfer-vs-source.png";
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SweepReport() {}

    /** One run as the report sees it: its results, or why it diverged. */
    public record Run(RunSpec spec, RunResult source, RunResult transfer, String diverged) {}

    /** A configuration: its seeds' runs and their summary. */
    public record Configuration(String id, Map<String, String> grid, List<Run> runs, SeedGroup group) {}

    /** Everything the report shows. */
    public record Aggregate(String title, Map<String, String> settings, List<Configuration> configurations, List<Run> runs,
                            List<String> warnings) {}

    static Aggregate write(SweepSpec spec, List<RunSpec> specs, List<RunOutcome> outcomes, Path dir) {
        Aggregate a = aggregate(spec.title(), spec.settings(), specs, outcomes);
        try {
            AtomicWrite.write(dir.resolve(JSON), toJson(a).getBytes(StandardCharsets.UTF_8));
            MetricsCsv.write(allRuns(a), dir.resolve(MetricsCsv.FILE_NAME));
            PredictionsCsv.write(allRuns(a), dir.resolve(PredictionsCsv.FILE_NAME));
            List<String[]> plots = new ArrayList<>();
            plot(dir, PARAMS_PNG, "Accuracy vs. parameters tuned", Plots.accuracyVsParams(groups(a)), plots);
            plot(dir, SCATTER_PNG, "Transfer vs. source accuracy", Plots.transferVsSource(groups(a)), plots);
            AtomicWrite.write(dir.resolve(MARKDOWN), markdown(a, spec, plots).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the sweep's report into " + dir, e);
        }
        return a;
    }

    static Aggregate aggregate(String title, Map<String, String> settings, List<RunSpec> specs, List<RunOutcome> outcomes) {
        Map<String, RunOutcome> byId = new LinkedHashMap<>();
        outcomes.forEach(o -> byId.put(o.id(), o));
        List<Run> runs = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (RunSpec s : specs) {
            RunOutcome o = byId.get(s.id());
            if (o == null) {
                throw new IllegalStateException("no outcome came back for run " + s.id());
            }
            if (o.diverged()) {
                runs.add(new Run(s, null, null, o.message()));
                warnings.add("**" + s.id() + "** diverged and is left out of the numbers: " + o.message());
                continue;
            }
            Experiment e = ResultsJson.parse(s.id() + " " + ResultsJson.FILE_NAME, o.results());
            List<RunResult> transfer = e.runs(RunResult.Phase.TRANSFER);
            Run r = new Run(s, e.runs(RunResult.Phase.SOURCE).getFirst(), transfer.isEmpty() ? null : transfer.getFirst(), null);
            runs.add(r);
            for (RunResult phase : e.runs()) {
                phase.warnings().forEach(w -> warnings.add("**" + s.id() + "** (" + phase.phase().label() + "): " + w));
            }
        }
        Map<String, List<Run>> byConfiguration = new LinkedHashMap<>();
        runs.forEach(r -> byConfiguration.computeIfAbsent(r.spec().configuration(), k -> new ArrayList<>()).add(r));
        List<Configuration> configurations = new ArrayList<>();
        byConfiguration.forEach((id, rs) -> {
            List<Run> done = rs.stream().filter(r -> r.diverged() == null).toList();
            List<RunResult> transfers = done.stream().map(Run::transfer).filter(t -> t != null).toList();
            RunSpec first = rs.getFirst().spec();
            configurations.add(new Configuration(id, first.grid(), rs, new SeedGroup(first.label(), first.family(),
                    done.stream().map(Run::source).toList(), transfers.size() == done.size() ? transfers : List.of())));
        });
        return new Aggregate(title, settings, configurations, runs, warnings);
    }

    private static List<SeedGroup> groups(Aggregate a) {
        return a.configurations().stream().map(Configuration::group).filter(g -> !g.source().isEmpty()).toList();
    }

    /** Every pair of configurations on the same test images, seed by seed, with Holm's correction over the pairs. */
    static List<PairedComparison> comparisons(Aggregate a, RunResult.Phase phase) {
        return PairedComparisons.of(MarkdownReport.arms(groups(a), phase), phase);
    }

    // ---- sweep.json ---------------------------------------------------------------------------

    static String toJson(Aggregate a) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schema", SCHEMA);
        root.put("title", a.title());
        ObjectNode settings = root.putObject("settings");
        a.settings().forEach(settings::put);
        ArrayNode configurations = root.putArray("configurations");
        for (Configuration c : a.configurations()) {
            ObjectNode o = configurations.addObject();
            o.put("id", c.id());
            o.put("label", c.group().label());
            o.put("family", c.group().family());
            ObjectNode grid = o.putObject("grid");
            c.grid().forEach(grid::put);
            ArrayNode ids = o.putArray("runs");
            c.runs().forEach(r -> ids.add(r.spec().id()));
            ArrayNode seeds = o.putArray("seeds");
            c.group().source().forEach(r -> seeds.add(r.seed()));
            RunResult first = c.group().source().isEmpty() ? null : c.group().source().getFirst();
            if (first == null || first.params() == null) {
                o.putNull("params");
            } else {
                ObjectNode p = o.putObject("params");
                p.put("trainable", first.params().trainable());
                p.put("total", first.params().total());
                p.put("percent", first.params().percent());
            }
            for (RunResult.Phase phase : RunResult.Phase.values()) {
                if (c.group().runs(phase).isEmpty()) {
                    o.putNull(phase.label());
                    continue;
                }
                ObjectNode stats = o.putObject(phase.label());
                stat(stats, "accuracy", c.group().accuracy(phase));
                stat(stats, "f1_weighted", c.group().weightedF1(phase));
                stat(stats, "f1_macro", c.group().evaluation(phase, Evaluation::macroF1));
                stat(stats, "loss", c.group().evaluation(phase, Evaluation::loss));
                stat(stats, "cka", c.group().cka(phase));
                interval((ObjectNode) stats.get("accuracy"), c.group().runs(phase), Evaluation::accuracy);
                interval((ObjectNode) stats.get("f1_weighted"), c.group().runs(phase), Evaluation::weightedF1);
            }
        }
        ObjectNode comparisons = root.putObject("comparisons");
        for (RunResult.Phase phase : RunResult.Phase.values()) {
            ArrayNode list = comparisons.putArray(phase.label());
            for (PairedComparison c : comparisons(a, phase)) {
                ObjectNode o = list.addObject();
                o.put("a", c.a());
                o.put("b", c.b());
                number(o, "accuracy_difference", c.difference().mean());
                number(o, "ci_low", c.difference().interval().lower());
                number(o, "ci_high", c.difference().interval().upper());
                number(o, "p_paired_t", c.p());
                number(o, "p_paired_t_holm", c.pHolm());
                o.put("significant", c.significant());
                ArrayNode seeds = o.putArray("seeds");
                for (PairedComparison.SeedTest t : c.seeds()) {
                    ObjectNode st = seeds.addObject();
                    st.put("seed", t.seed());
                    number(st, "accuracy_difference", t.difference());
                    st.put("a_right_b_wrong", t.mcnemar().b());
                    st.put("a_wrong_b_right", t.mcnemar().c());
                    number(st, "p_mcnemar", t.mcnemar().pValue());
                    number(st, "p_mcnemar_holm", t.pHolm());
                }
            }
        }
        ArrayNode runs = root.putArray("runs");
        for (Run r : a.runs()) {
            ObjectNode o = runs.addObject();
            o.put("id", r.spec().id());
            o.put("configuration", r.spec().configuration());
            o.put("seed", r.spec().seed());
            o.put("status", r.diverged() == null ? "done" : "diverged");
            o.put("message", r.diverged());
            phase(o, RunResult.Phase.SOURCE.label(), r.source());
            phase(o, RunResult.Phase.TRANSFER.label(), r.transfer());
        }
        ArrayNode warnings = root.putArray("warnings");
        a.warnings().forEach(warnings::add);
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("cannot write sweep.json", e); // a tree of plain nodes always serialises
        }
    }

    private static void stat(ObjectNode o, String key, MeanStd m) {
        ObjectNode s = o.putObject(key);
        number(s, "mean", m.mean());
        number(s, "std", m.std());
        s.put("n", m.n());
    }

    /** The 95 % Student-t interval over the seeds, as "ci_low" and "ci_high" beside mean, std and n. */
    private static void interval(ObjectNode stat, List<RunResult> runs, ToDoubleFunction<Evaluation> value) {
        SeedSummary s = SeedSummary.of(runs.stream().mapToDouble(r -> value.applyAsDouble(r.evaluation())).toArray(), Evaluation.CONFIDENCE);
        number(stat, "ci_low", s.interval().lower());
        number(stat, "ci_high", s.interval().upper());
    }

    private static void phase(ObjectNode o, String key, RunResult r) {
        if (r == null) {
            o.putNull(key);
            return;
        }
        ObjectNode p = o.putObject(key);
        Evaluation e = r.evaluation();
        number(p, "accuracy", e.accuracy());
        number(p, "f1_weighted", e.weightedF1());
        number(p, "f1_macro", e.macroF1());
        number(p, "loss", e.loss());
        number(p, "cka", r.cka() == null ? Double.NaN : r.cka().summary());
        number(p, "seconds", r.seconds());
    }

    private static void number(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, v);
        } else {
            o.putNull(key);
        }
    }

    // ---- report.md ----------------------------------------------------------------------------

    static String markdown(Aggregate a, SweepSpec spec, List<String[]> plots) {
        StringBuilder md = new StringBuilder("# ").append(a.title()).append("\n\n");
        long diverged = a.runs().stream().filter(r -> r.diverged() != null).count();
        md.append(a.runs().size()).append(" runs: ").append(a.configurations().size()).append(" configurations × ")
                .append(spec.seeds().size()).append(spec.seeds().size() == 1 ? " seed" : " seeds")
                .append(diverged == 0 ? "" : " (" + diverged + " diverged)").append(". Each run fine-tunes on ").append(spec.sourceLabel());
        if (spec.transferLabel() != null) {
            md.append(", then trains a new head on ").append(spec.shots()).append(" images per class of ").append(spec.transferLabel());
        }
        md.append(". Every number is the mean ± the sample standard deviation (n − 1) over the seeds, then its 95 % Student-t "
                + "interval; F1 is scikit-learn's weighted F1; CKA Sim. is linear CKA between the class tokens of the last two blocks on ")
                .append(spec.ckaImages()).append(" evaluation images. ").append(MarkdownReport.COMPARISONS).append(' ').append(MarkdownReport.SELECTION).append('\n');
        md.append("\n## Source task (").append(spec.sourceLabel()).append(")\n\n")
                .append(MarkdownReport.seedTable(groups(a), RunResult.Phase.SOURCE))
                .append(MarkdownReport.comparisonsSection(comparisons(a, RunResult.Phase.SOURCE)));
        if (spec.transferLabel() != null) {
            md.append("\n## Transfer task (").append(spec.transferLabel()).append(")\n\n")
                    .append(MarkdownReport.seedTable(groups(a), RunResult.Phase.TRANSFER))
                    .append(MarkdownReport.comparisonsSection(comparisons(a, RunResult.Phase.TRANSFER)));
        }
        if (!plots.isEmpty()) {
            md.append("\n## Plots\n");
            for (String[] p : plots) {
                md.append("\n### ").append(p[0]).append("\n\n![").append(p[0]).append("](").append(p[1]).append(")\n");
            }
        }
        md.append("\n## Runs\n\nEach run's folder under `runs/` holds its log, checkpoints, adapter and single-run reports.\n\n");
        md.append("| Run | Configuration | Seed | Source accuracy | Source F1 | Transfer accuracy | Transfer F1 | Time (s) |\n");
        md.append("|:--|:--|--:|--:|--:|--:|--:|--:|\n");
        for (Run r : a.runs()) {
            md.append("| ").append(cell(r.spec().id())).append(" | ").append(cell(r.spec().label())).append(" | ").append(r.spec().seed());
            if (r.diverged() != null) {
                md.append(" | diverged | | | | |\n");
                continue;
            }
            md.append(" | ").append(fixed(r.source(), Evaluation::accuracy)).append(" | ").append(fixed(r.source(), Evaluation::weightedF1))
                    .append(" | ").append(fixed(r.transfer(), Evaluation::accuracy)).append(" | ").append(fixed(r.transfer(), Evaluation::weightedF1))
                    .append(" | ").append(PythonFormat.fixed(r.source().seconds() + (r.transfer() == null ? 0 : r.transfer().seconds()), 1))
                    .append(" |\n");
        }
        if (!a.warnings().isEmpty()) {
            md.append("\n## Warnings\n\n");
            a.warnings().forEach(w -> md.append("- ").append(w.replace("\n", " ")).append('\n'));
        }
        md.append("\n## Settings\n\n| Setting | Value |\n|:--|:--|\n");
        a.settings().forEach((k, v) -> md.append("| ").append(cell(k)).append(" | ").append(cell(v)).append(" |\n"));
        return md.toString();
    }

    private static String fixed(RunResult r, ToDoubleFunction<Evaluation> value) {
        if (r == null) {
            return "–";
        }
        double v = value.applyAsDouble(r.evaluation());
        return Double.isFinite(v) ? PythonFormat.fixed(v, 4) : "–";
    }

    private static String cell(String text) {
        return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ");
    }

    /** Every finished run under its configuration's label, for metrics.csv. */
    private static Experiment allRuns(Aggregate a) {
        List<RunResult> all = new ArrayList<>();
        for (Run r : a.runs()) {
            for (RunResult phase : new RunResult[] {r.source(), r.transfer()}) {
                if (phase != null) {
                    all.add(new RunResult(r.spec().label(), phase.phase(), phase.dataset(), phase.seed(), phase.config(), phase.params(),
                            phase.epochs(), phase.evaluation(), phase.cka(), phase.seconds(), phase.warnings()));
                }
            }
        }
        return new Experiment(a.title(), a.settings(), all, a.warnings());
    }

    private static void plot(Path dir, String file, String title, Optional<byte[]> png, List<String[]> plots) throws IOException {
        if (png.isPresent()) {
            AtomicWrite.write(dir.resolve(file), png.get());
            plots.add(new String[] {title, file});
        }
    }
}
