package dev.kora4j.report;

import static dev.kora4j.metrics.PythonFormat.fixed;

import dev.kora4j.metrics.Evaluation;
import dev.kora4j.metrics.LabelCollapse;
import dev.kora4j.stats.Interval;
import dev.kora4j.stats.SeedSummary;
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
 * as a fraction) with 4, rounded as Python rounds; "–" where a number was not measured. Each number
 * comes with its 95 % interval: over the test images for a single run (Wilson's for accuracy, a
 * bootstrap for F1), over the seeds (Student's t) for a method run with several; methods evaluated on
 * the same images are compared pair by pair ({@link PairedComparisons}), and the report leads with
 * the experiment's headline comparison when it has one.
 */
public final class MarkdownReport {
    public static final String FILE_NAME = "report.md";
    static final String MISSING = "–";

    /** A plot to embed: its heading and its file name relative to the report. */
    public record Plot(String title, String file) {}

    /** How methods are compared. */
    public static final String COMPARISONS = "Methods evaluated on the same test images are compared pair by pair: over several "
            + "seeds by the mean difference in accuracy, its Student-t interval and the paired t-test; per seed by McNemar's exact "
            + "test on the images one got right and the other wrong (b / c). Holm's correction runs over the pairs of each table.";
    /** What the intervals and tests are, for the reader. */
    static final String STATISTICS = "Intervals are 95 %. For a single run they are over its test images: Wilson's score interval "
            + "for accuracy, a percentile bootstrap (2,000 resamples of the images, seed 0) for F1. For a method run with several "
            + "seeds they are over the seeds: mean ± standard deviation, then Student's t interval of the mean. " + COMPARISONS
            + " Every image's prediction is in `predictions.csv`.";
    /** The selection rule: no number in a report was picked by a score. */
    public static final String SELECTION = "Selection: every number is the final epoch's, with hyperparameters fixed beforehand; no epoch, "
            + "setting or seed was chosen by a score on any split, so the evaluation split is used for evaluation only.";

    private MarkdownReport() {}

    public static void write(Experiment experiment, List<Plot> plots, Path file) throws IOException {
        AtomicBytes.write(file, render(experiment, plots));
    }

    public static String render(Experiment e, List<Plot> plots) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(e.title()).append("\n\n");
        md.append("F1 is scikit-learn's `f1_score(average='weighted')`, as in the seed notebook. CKA Sim. is linear CKA "
                + "(biased centring) between the last two feature sets measured, which for the seed's blocks 0, 6 and 11 is "
                + "block 6 vs block 11.\n\n").append(STATISTICS).append("\n\n").append(SELECTION).append('\n');
        Map<RunResult.Phase, List<PairedComparison>> comparisons = comparisons(e);
        verdict(md, comparisons, e.headline());
        for (RunResult.Phase phase : RunResult.Phase.values()) {
            List<RunResult> runs = e.runs(phase);
            if (runs.isEmpty()) {
                continue;
            }
            md.append("\n## ").append(phase == RunResult.Phase.SOURCE ? "Source task" : "Transfer task");
            String datasets = String.join(", ", distinct(runs.stream().map(RunResult::dataset).filter(d -> !d.isEmpty()).toList()));
            md.append(datasets.isEmpty() ? "" : " (" + datasets + ")").append("\n\n");
            md.append(resultsTable(PairedComparisons.arms(e, phase)));
            md.append(comparisonsSection(comparisons.get(phase)));
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

    /**
     * The seed's results table, one row per method: a single run's numbers with their intervals over
     * the test images, or several seeds' mean ± std with the Student-t interval over the seeds.
     */
    static String resultsTable(List<PairedComparisons.Arm> arms) {
        StringBuilder md = new StringBuilder();
        md.append("| Tuning Method | Params Tuned (%) | CKA Sim. | Accuracy (%) [95 % CI] | F1 Score [95 % CI] | Seeds |\n");
        md.append("|:--|:--:|:--:|:--:|:--:|:--:|\n");
        for (PairedComparisons.Arm arm : arms) {
            List<RunResult> runs = arm.runs();
            double[] shares = runs.stream().mapToDouble(r -> r.params() == null ? Double.NaN : r.params().percent()).toArray();
            MeanStd params = MeanStd.of(shares);
            boolean sameShare = java.util.Arrays.stream(shares).distinct().count() == 1; // every seed tuned the same parameters
            MeanStd cka = MeanStd.of(runs.stream().mapToDouble(r -> r.cka() == null ? Double.NaN : r.cka().summary()).toArray());
            md.append("| ").append(cell(arm.label()))
                    .append(" | ").append(sameShare ? number(shares[0], 2) : params.format(1, 2))
                    .append(" | ").append(cka.format(1, 2));
            if (runs.size() == 1) {
                Evaluation ev = runs.getFirst().evaluation();
                md.append(" | ").append(number(ev.accuracy() * 100, 2)).append(interval(ev.accuracyInterval(), 100, 2))
                        .append(" | ").append(number(ev.weightedF1(), 4)).append(interval(ev.weightedF1Interval(), 1, 4));
            } else {
                md.append(" | ").append(overSeeds(runs, Evaluation::accuracy, 100, 2)).append(" | ").append(overSeeds(runs, Evaluation::weightedF1, 1, 4));
            }
            md.append(" | ").append(runs.size()).append(" |\n");
        }
        return md.toString();
    }

    /**
     * The results table of configurations run with several seeds (a sweep's), one row each; rows
     * without runs in {@code phase} are left out.
     */
    public static String seedTable(List<SeedGroup> groups, RunResult.Phase phase) {
        return resultsTable(arms(groups, phase));
    }

    /** The groups' runs of one phase, as arms to tabulate and compare. */
    public static List<PairedComparisons.Arm> arms(List<SeedGroup> groups, RunResult.Phase phase) {
        return groups.stream().filter(g -> !g.runs(phase).isEmpty()).map(g -> new PairedComparisons.Arm(g.label(), g.runs(phase))).toList();
    }

    /** "mean ± std [low, high]" over the seeds, times {@code scale}. */
    private static String overSeeds(List<RunResult> runs, java.util.function.ToDoubleFunction<Evaluation> value, double scale, int digits) {
        SeedSummary s = SeedSummary.of(runs.stream().mapToDouble(r -> value.applyAsDouble(r.evaluation())).toArray(), Evaluation.CONFIDENCE);
        if (s.n() == 0) {
            return MISSING;
        }
        return number(s.mean() * scale, digits) + (s.n() < 2 ? "" : " ± " + number(s.std() * scale, digits))
                + interval(withinUnit(s.interval()), scale, digits);
    }

    /**
     * A Student-t interval of a score cut to [0, 1], where every score lies: with few seeds its margin
     * can pass the bounds, and the part beyond them holds no possible value.
     */
    private static Interval withinUnit(Interval i) {
        return Double.isNaN(i.lower()) ? i : new Interval(Math.max(0, i.lower()), Math.min(1, i.upper()));
    }

    /** " [low, high]" times {@code scale}, or nothing when the interval is unknown. */
    private static String interval(Interval i, double scale, int digits) {
        return i == null || Double.isNaN(i.lower()) ? "" : " [" + fixed(i.lower() * scale, digits) + ", " + fixed(i.upper() * scale, digits) + "]";
    }

    /**
     * The paired comparisons of one phase's methods, with what they mean in a sentence; nothing when
     * fewer than two methods scored the same images.
     */
    public static String comparisonsSection(List<PairedComparison> comparisons) {
        if (comparisons.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder("\n### Paired comparisons\n\n");
        md.append("Accuracy of the first method minus the second's, in points, on the same test images; p-values in parentheses "
                + "are Holm-corrected over the ").append(comparisons.size()).append(comparisons.size() == 1 ? " pair" : " pairs")
                .append(" of this table (per seed for McNemar's).\n\n");
        md.append("| Comparison | Δ accuracy (points) | 95 % CI | Paired t: p (Holm) | McNemar per seed: b / c, p (Holm) | Significant at 5 % |\n");
        md.append("|:--|--:|:--:|:--:|:--|:--:|\n");
        for (PairedComparison c : comparisons) {
            SeedSummary d = c.difference();
            md.append("| ").append(cell(c.a() + " − " + c.b()))
                    .append(" | ").append(signed(d.mean() * 100, 2))
                    .append(" | ").append(Double.isNaN(d.interval().lower()) ? MISSING
                            : "[" + signed(d.interval().lower() * 100, 2) + ", " + signed(d.interval().upper() * 100, 2) + "]")
                    .append(" | ").append(Double.isNaN(c.p()) ? MISSING : pValue(c.p()) + " (" + pValue(c.pHolm()) + ")")
                    .append(" | ");
            for (int i = 0; i < c.seeds().size(); i++) {
                PairedComparison.SeedTest t = c.seeds().get(i);
                md.append(i == 0 ? "" : "; ").append("seed ").append(t.seed()).append(": ").append(t.mcnemar().b()).append(" / ")
                        .append(t.mcnemar().c()).append(", ").append(pValue(t.mcnemar().pValue())).append(" (").append(pValue(t.pHolm())).append(')');
            }
            md.append(" | ").append(c.significant() ? "**yes**" : "no").append(" |\n");
        }
        List<PairedComparison> held = comparisons.stream().filter(PairedComparison::significant).toList();
        md.append('\n').append(held.isEmpty()
                ? "No difference between these methods is significant at 5 % after Holm's correction."
                : "Significant at 5 % after Holm's correction: " + String.join("; ", held.stream().map(c -> c.a() + " − " + c.b()).toList()) + ".")
                .append(comparisons.getFirst().seeds().size() >= 2 ? " Over several seeds the paired t-test decides; McNemar's tests say, "
                        + "seed by seed, whether that seed's test images alone would." : " With one seed, McNemar's test decides.").append('\n');
        return md.toString();
    }

    /** The headline comparison in a sentence per phase, before everything else. */
    private static void verdict(StringBuilder md, Map<RunResult.Phase, List<PairedComparison>> comparisons, List<String> headline) {
        List<String> lines = verdictLines(comparisons, headline);
        if (!lines.isEmpty()) {
            md.append("\n## Verdict\n\n");
            lines.forEach(l -> md.append("- ").append(l).append('\n'));
        }
    }

    /** The headline comparison of an experiment in a sentence per phase (none without a headline). */
    public static List<String> verdictLines(Experiment e) {
        return verdictLines(comparisons(e), e.headline());
    }

    /** Each phase's paired comparisons of the experiment's methods. */
    private static Map<RunResult.Phase, List<PairedComparison>> comparisons(Experiment e) {
        Map<RunResult.Phase, List<PairedComparison>> out = new java.util.EnumMap<>(RunResult.Phase.class);
        for (RunResult.Phase phase : RunResult.Phase.values()) {
            out.put(phase, PairedComparisons.of(PairedComparisons.arms(e, phase), phase));
        }
        return out;
    }

    private static List<String> verdictLines(Map<RunResult.Phase, List<PairedComparison>> comparisons, List<String> headline) {
        List<String> lines = new ArrayList<>();
        if (headline.isEmpty()) {
            return lines;
        }
        String a = headline.get(0), b = headline.get(1);
        comparisons.forEach((phase, list) -> {
            for (PairedComparison c : list) {
                if (c.a().equals(a) && c.b().equals(b) || c.a().equals(b) && c.b().equals(a)) {
                    lines.add(verdictLine(c.a().equals(a) ? c : c.flipped(), list.size()));
                }
            }
        });
        return lines;
    }

    /** E.g. "**KoRA vs LoRA, transfer task**: +6.59 points (mean of 3 seeds), 95 % CI [...]; …: not significant at 5 %." */
    static String verdictLine(PairedComparison c, int pairs) {
        SeedSummary d = c.difference();
        int n = c.seeds().size();
        String holm = "Holm over " + pairs + (pairs == 1 ? " pair" : " pairs");
        StringBuilder s = new StringBuilder("**").append(c.a()).append(" vs ").append(c.b()).append(", ").append(c.phase().label())
                .append(" task**: ").append(signed(d.mean() * 100, 2)).append(" points of accuracy");
        if (n >= 2) {
            s.append(" (mean of ").append(n).append(" seeds), 95 % CI [").append(signed(d.interval().lower() * 100, 2)).append(", ")
                    .append(signed(d.interval().upper() * 100, 2)).append("]; paired t p = ").append(pValue(c.pHolm())).append(" (")
                    .append(holm).append("); McNemar significant in ").append(c.significantSeeds()).append(" of ").append(n).append(" seeds");
        } else {
            s.append(" (one seed); McNemar p = ").append(pValue(c.seeds().getFirst().pHolm())).append(" (").append(holm).append(")");
        }
        return s.append(": ").append(c.significant() ? "**significant** at 5 %." : "**not significant** at 5 %.").toString();
    }

    private static String signed(double v, int digits) {
        return Double.isFinite(v) ? (v >= 0 ? "+" : "−") + fixed(Math.abs(v), digits) : MISSING;
    }

    /** A p-value with 4 decimals, or "< 0.0001". */
    private static String pValue(double p) {
        return !Double.isFinite(p) ? MISSING : p < 1e-4 ? "< 0.0001" : fixed(p, 4);
    }

    private static void detailsTable(StringBuilder md, List<RunResult> runs) {
        md.append("| Method | Phase | Data | Seed | Samples | True classes | Loss | Accuracy [95 % CI] | F1 (weighted) [95 % CI] | F1 (macro) | Trainable / total params | Time (s) |\n");
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
                    .append(" | ").append(number(ev.accuracy(), 4)).append(interval(ev.accuracyInterval(), 1, 4))
                    .append(" | ").append(number(ev.weightedF1(), 4)).append(interval(ev.weightedF1Interval(), 1, 4))
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
