package dev.kora4j.report;

import static dev.kora4j.metrics.PythonFormat.fixed;

import dev.kora4j.metrics.Evaluation;
import dev.kora4j.metrics.LabelCollapse;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * report.md: the seed's results tables (Tuning Method | Params Tuned (%) | CKA Sim. | Accuracy (%) |
 * F1 Score) for the source and the transfer task, evaluation details, the plots, warnings (with the
 * label-collapse identity worked out in numbers where it holds), and the settings.
 *
 * <p>Numbers: parameters tuned and accuracy in percent with 2 decimals, CKA with 2, F1 (weighted,
 * as a fraction) with 4, rounded as Python rounds; "–" where a number was not measured.
 */
public final class MarkdownReport {
    public static final String FILE_NAME = "report.md";
    static final String MISSING = "–";

    /** A plot to embed: its heading and its file name relative to the report. */
    public record Plot(String title, String file) {}

    private MarkdownReport() {}

    public static void write(Experiment experiment, List<Plot> plots, Path file) throws IOException {
        AtomicBytes.write(file, render(experiment, plots));
    }

    public static String render(Experiment e, List<Plot> plots) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(e.title()).append("\n\n");
        md.append("F1 is scikit-learn's `f1_score(average='weighted')`, as in the seed notebook. CKA Sim. is linear CKA "
                + "(biased centring) between the last two feature sets measured, which for the seed's blocks 0, 6 and 11 is "
                + "block 6 vs block 11.\n");
        for (RunResult.Phase phase : RunResult.Phase.values()) {
            List<RunResult> runs = e.runs(phase);
            if (runs.isEmpty()) {
                continue;
            }
            md.append("\n## ").append(phase == RunResult.Phase.SOURCE ? "Source task" : "Transfer task");
            String datasets = String.join(", ", distinct(runs.stream().map(RunResult::dataset).filter(d -> !d.isEmpty()).toList()));
            md.append(datasets.isEmpty() ? "" : " (" + datasets + ")").append("\n\n");
            resultsTable(md, runs);
        }
        if (!e.runs().isEmpty()) {
            md.append("\n## Evaluation details\n\n");
            detailsTable(md, e.runs());
        }
        if (!plots.isEmpty()) {
            md.append("\n## Plots\n");
            for (Plot p : plots) {
                md.append("\n### ").append(p.title()).append("\n\n![").append(p.title()).append("](").append(p.file()).append(")\n");
            }
        }
        List<String> warnings = warnings(e);
        if (!warnings.isEmpty()) {
            md.append("\n## Warnings\n\n");
            warnings.forEach(w -> md.append("- ").append(w.replace("\n", " ")).append('\n'));
        }
        settings(md, e);
        return md.toString();
    }

    private static void resultsTable(StringBuilder md, List<RunResult> runs) {
        md.append("| Tuning Method | Params Tuned (%) | CKA Sim. | Accuracy (%) | F1 Score |\n");
        md.append("|:--|:--:|:--:|:--:|:--:|\n");
        for (RunResult r : runs) {
            md.append("| ").append(cell(r.method()))
                    .append(" | ").append(r.params() == null ? MISSING : number(r.params().percent(), 2))
                    .append(" | ").append(r.cka() == null ? MISSING : number(r.cka().summary(), 2))
                    .append(" | ").append(number(r.evaluation().accuracy() * 100, 2))
                    .append(" | ").append(number(r.evaluation().weightedF1(), 4))
                    .append(" |\n");
        }
    }

    /**
     * The seed's results table for configurations run with several seeds, one row each: every
     * number as "mean ± std" over the seeds ({@link MeanStd}), parameters tuned as one number when
     * every seed tuned the same. Rows without runs in {@code phase} are left out.
     */
    public static String seedTable(List<SeedGroup> groups, RunResult.Phase phase) {
        StringBuilder md = new StringBuilder();
        md.append("| Tuning Method | Params Tuned (%) | CKA Sim. | Accuracy (%) | F1 Score |\n");
        md.append("|:--|:--:|:--:|:--:|:--:|\n");
        for (SeedGroup g : groups) {
            if (g.runs(phase).isEmpty()) {
                continue;
            }
            MeanStd params = g.paramsPercent(phase);
            md.append("| ").append(cell(g.label()))
                    .append(" | ").append(params.std() == 0 ? number(params.mean(), 2) : params.format(1, 2))
                    .append(" | ").append(g.cka(phase).format(1, 2))
                    .append(" | ").append(g.accuracy(phase).format(100, 2))
                    .append(" | ").append(g.weightedF1(phase).format(1, 4))
                    .append(" |\n");
        }
        return md.toString();
    }

    private static void detailsTable(StringBuilder md, List<RunResult> runs) {
        md.append("| Method | Phase | Data | Seed | Samples | True classes | Loss | Accuracy | F1 (weighted) | F1 (macro) | Trainable / total params | Time (s) |\n");
        md.append("|:--|:--|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        for (RunResult r : runs) {
            Evaluation ev = r.evaluation();
            md.append("| ").append(cell(r.method()))
                    .append(" | ").append(r.phase().label())
                    .append(" | ").append(r.dataset().isEmpty() ? MISSING : cell(r.dataset()))
                    .append(" | ").append(r.seed())
                    .append(" | ").append(ev.samples())
                    .append(" | ").append(ev.labels().distinctLabels())
                    .append(" | ").append(number(ev.loss(), 4))
                    .append(" | ").append(number(ev.accuracy(), 4))
                    .append(" | ").append(number(ev.weightedF1(), 4))
                    .append(" | ").append(number(ev.macroF1(), 4))
                    .append(" | ").append(r.params() == null ? MISSING
                            : String.format(java.util.Locale.ROOT, "%,d / %,d", r.params().trainable(), r.params().total()))
                    .append(" | ").append(number(r.seconds(), 1))
                    .append(" |\n");
        }
    }

    /**
     * The warnings the report lists: for each run whose true labels are all one class (or absent), the
     * seed protocol's collapse warning with the identity worked out; then the runs' own warnings; then
     * the experiment's.
     */
    public static List<String> warnings(Experiment e) {
        List<String> out = new ArrayList<>();
        for (RunResult r : e.runs()) {
            String collapse = collapseWarning(r);
            if (collapse != null) {
                out.add(collapse);
            }
        }
        for (RunResult r : e.runs()) {
            r.warnings().forEach(w -> out.add("**" + r.title() + "**: " + w));
        }
        out.addAll(e.warnings());
        return out;
    }

    /** The label-collapse warning of one run, or null when its true labels hold two or more classes. */
    public static String collapseWarning(RunResult r) {
        Evaluation ev = r.evaluation();
        LabelCollapse labels = ev.labels();
        if (labels.distinctLabels() == 0) {
            return "**" + r.title() + "**: the evaluation scored no samples; its numbers mean nothing.";
        }
        if (!labels.collapsed()) {
            return null;
        }
        String acc = fixed(ev.accuracy(), 4);
        String identity = "with one true class, weighted F1 = 2·acc/(1+acc) = 2·" + acc + "/(1+" + acc + ") = "
                + fixed(ev.identityF1(), 4);
        String verdict = ev.showsCollapseIdentity()
                ? ", and the measured F1 is " + fixed(ev.weightedF1(), 4) + ": the identity holds, so accuracy and F1 measure "
                        + "how often the model predicts class " + labels.label() + ", not how well it classifies "
                        + "(seed protocol §5.7). A correct protocol needs at least 2 distinct labels."
                : ", but the measured F1 is " + fixed(ev.weightedF1(), 4) + ": the identity does not hold, so the F1 was "
                        + "not computed as f1_score(average='weighted') on these labels.";
        return "**" + r.title() + "**: label collapse: all " + ev.samples() + " true labels are class " + labels.label()
                + "; " + identity + verdict;
    }

    private static void settings(StringBuilder md, Experiment e) {
        boolean anyConfig = e.runs().stream().anyMatch(r -> !r.config().isEmpty());
        if (e.settings().isEmpty() && !anyConfig && e.runs().isEmpty()) {
            return;
        }
        md.append("\n## Run settings\n");
        if (!e.settings().isEmpty()) {
            md.append("\n| Setting | Value |\n|:--|:--|\n");
            e.settings().forEach((k, v) -> md.append("| ").append(cell(k)).append(" | ").append(cell(v)).append(" |\n"));
        }
        if (!e.runs().isEmpty()) {
            md.append('\n');
            for (RunResult r : e.runs()) {
                md.append("- **").append(r.title()).append("**: ")
                        .append(r.dataset().isEmpty() ? "" : "data " + r.dataset() + ", ").append("seed ").append(r.seed());
                for (Map.Entry<String, String> kv : r.config().entrySet()) {
                    md.append(", ").append(kv.getKey()).append(" = ").append(kv.getValue().replace("\n", " "));
                }
                md.append('\n');
            }
        }
    }

    private static String number(double v, int digits) {
        return Double.isFinite(v) ? fixed(v, digits) : MISSING;
    }

    /** Text inside a table cell: a pipe would end the cell, a line break the row. */
    static String cell(String text) {
        return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ");
    }

    private static List<String> distinct(List<String> values) {
        Set<String> set = new LinkedHashSet<>(values);
        return List.copyOf(set);
    }
}
