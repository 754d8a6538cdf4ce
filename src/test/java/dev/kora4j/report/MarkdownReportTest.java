package dev.kora4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.metrics.ConfusionMatrix;
import dev.kora4j.metrics.Evaluation;
import dev.kora4j.metrics.LabelCollapse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MarkdownReportTest {
    static final List<MarkdownReport.Plot> PLOTS = List.of(new MarkdownReport.Plot("Loss per epoch", "loss.png"));

    static String section(String md, String heading) {
        int start = md.indexOf("\n## " + heading);
        assertTrue(start >= 0, "no section " + heading + " in\n" + md);
        int end = md.indexOf("\n## ", start + 1);
        return md.substring(start, end < 0 ? md.length() : end);
    }

    @Test
    void tablesInTheSeedsFormat() {
        String md = MarkdownReport.render(SampleRuns.seedLike(), PLOTS);
        String source = section(md, "Source task (cifar100)");
        // accuracy intervals: statsmodels' proportion_confint(k, 10000, method='wilson'), in percent
        assertTrue(source.contains("| Tuning Method | Params Tuned (%) | CKA Sim. | Accuracy (%) [95 % CI] | F1 Score [95 % CI] | Seeds |\n"
                + "|:--|:--:|:--:|:--:|:--:|:--:|\n"
                + "| LoRA (r=8) | 1.45 | 0.73 | 92.48 [91.95, 92.98] | 0.9248" + f1(SampleRuns.seedLike().runs().get(0)) + " | 1 |\n"
                + "| KoRA (d_comp=4) | 1.80 | 0.76 | 84.08 [83.35, 84.78] | 0.8408" + f1(SampleRuns.seedLike().runs().get(1)) + " | 1 |\n"), source);
        // the two runs scored the same 10,000 images: LoRA got 840 right that KoRA got wrong, and none the other way
        assertTrue(source.contains("| LoRA (r=8) − KoRA (d_comp=4) | +8.40 | – | – | seed 0: 840 / 0, < 0.0001 (< 0.0001) | **yes** |"), source);
        assertTrue(source.contains("Holm-corrected over the 1 pair of this table"), source);
        String transfer = section(md, "Transfer task (tinyimagenet)");
        assertTrue(transfer.contains("| LoRA (r=8) | 0.17 | – | 71.04 [70.14, 71.92] | 0.8307" + f1(SampleRuns.seedLike().runs().get(2)) + " | 1 |\n"
                + "| KoRA (d_comp=4) | 0.17 | – | 98.34 [98.07, 98.57] | 0.9916" + f1(SampleRuns.seedLike().runs().get(3)) + " | 1 |\n"), transfer);
        assertTrue(md.contains("no epoch, setting or seed was chosen by a score on any split"), "the selection rule is stated");
        assertTrue(!md.contains("## Verdict"), "no headline, no verdict");
        assertTrue(md.contains("![Loss per epoch](loss.png)"));
        String details = section(md, "Evaluation details");
        assertTrue(details.contains("| KoRA (d_comp=4) | transfer | tinyimagenet | 0 | 10000 | 1 | 0.0500 | 0.9834 [0.9807, 0.9857] | 0.9916 ["),
                details);
        assertTrue(details.contains("| 1,590,224 / 88,157,880 |"), details);
        String settings = section(md, "Run settings");
        assertTrue(settings.contains("| model | vit_base_patch16_224 |"), settings);
        assertTrue(settings.contains("- **KoRA (d_comp=4), source**: data cifar100, seed 0, lr = 1e-4, epochs = 5, batch = 32"), settings);
    }

    /** The seed's F1 in the weighted sense: when labels collapse, the report works the identity out in numbers. */
    @Test
    void collapseWarningShowsTheIdentity() {
        String md = MarkdownReport.render(SampleRuns.seedLike(), List.of());
        String warnings = section(md, "Warnings");
        assertTrue(warnings.contains("- **KoRA (d_comp=4), transfer**: label collapse: all 10000 true labels are class 0; "
                + "with one true class, weighted F1 = 2·acc/(1+acc) = 2·0.9834/(1+0.9834) = 0.9916, and the measured F1 is 0.9916: "
                + "the identity holds"), warnings);
        assertTrue(warnings.contains("2·0.7104/(1+0.7104) = 0.8307, and the measured F1 is 0.8307"), warnings);
        assertFalse(warnings.contains("**KoRA (d_comp=4), source**: label collapse"), "source labels span 100 classes");
        assertTrue(warnings.contains("- **KoRA (d_comp=4), transfer**: trained the head on the first 1000 paths, as the seed does"));
        assertTrue(warnings.contains("- the CIFAR-100 test split doubles as validation, as in the seed"));
        assertFalse(md.contains("## Plots"), "no plots given, no section");
    }

    @Test
    void collapseWarningOnlyWhenLabelsAreOneClass() {
        Evaluation spread = Evaluation.of(ConfusionMatrix.of(new int[] {0, 1, 1}, new int[] {0, 1, 0}, 2), 0.3);
        RunResult ok = new RunResult("probe", RunResult.Phase.TRANSFER, "", 1, Map.of(), null, List.of(), spread, null, 1, List.of());
        assertNull(MarkdownReport.collapseWarning(ok));
        // An F1 that was not computed on these labels is called out, not passed off as the identity.
        Evaluation foreign = new Evaluation(10, Double.NaN, 0.5, 0.5, 0.5, new LabelCollapse(1, 3));
        RunResult odd = new RunResult("odd", RunResult.Phase.TRANSFER, "", 1, Map.of(), null, List.of(), foreign, null, 1, List.of());
        assertTrue(MarkdownReport.collapseWarning(odd).contains("= 0.6667, but the measured F1 is 0.5000: the identity does not hold"));
        Evaluation none = Evaluation.of(new ConfusionMatrix(3), Double.NaN);
        RunResult empty = new RunResult("empty", RunResult.Phase.SOURCE, "", 1, Map.of(), null, List.of(), none, null, 1, List.of());
        assertEquals("**empty, source**: the evaluation scored no samples; its numbers mean nothing.", MarkdownReport.collapseWarning(empty));
        String md = MarkdownReport.render(new Experiment("t", Map.of(), List.of(empty), List.of()), List.of());
        assertTrue(md.contains("| empty | – | – | – | – | 1 |"), md);
    }

    @Test
    void tableCellsEscapePipes() {
        Evaluation ev = Evaluation.of(ConfusionMatrix.of(new int[] {0, 1}, new int[] {0, 1}, 2), 0.1);
        RunResult r = new RunResult("a|b", RunResult.Phase.SOURCE, "", 1, Map.of(), null, List.of(), ev, null, 1, List.of());
        assertTrue(MarkdownReport.render(new Experiment("t", Map.of(), List.of(r), List.of()), List.of())
                .contains("| a\\|b | – | – | 100.00 [34.24, 100.00] | 1.0000 | 1 |")); // Wilson's for 2 of 2: [0.3424, 1]
    }

    /** " [low, high]" of a run's F1 interval, as the tables write it. */
    private static String f1(RunResult r) {
        var i = r.evaluation().weightedF1Interval();
        return " [" + dev.kora4j.metrics.PythonFormat.fixed(i.lower(), 4) + ", " + dev.kora4j.metrics.PythonFormat.fixed(i.upper(), 4) + "]";
    }
}
