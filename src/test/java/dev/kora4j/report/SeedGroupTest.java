package dev.kora4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.metrics.ParamCount;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Several seeds per configuration: mean ± std, the seed table over seeds, and the sweep plots. */
class SeedGroupTest {
    private static RunResult run(String method, RunResult.Phase phase, long seed, int correct, ParamCount params, double ckaValue) {
        return new RunResult(method, phase, phase == RunResult.Phase.SOURCE ? "cifar100" : "digits", seed, null, params, List.of(),
                SampleRuns.spread(1000, correct, 0.5), Double.isNaN(ckaValue) ? null : SampleRuns.cka(0.9, 0.8, ckaValue), 1, List.of());
    }

    /** LoRA and KoRA with two seeds each, a probe with one, all transferred. */
    static List<SeedGroup> groups() {
        ParamCount lora = new ParamCount(1_270_692, 87_838_348), kora = new ParamCount(1_590_224, 88_157_880), probe = new ParamCount(76_900, 85_875_556);
        RunResult.Phase s = RunResult.Phase.SOURCE, t = RunResult.Phase.TRANSFER;
        return List.of(
                new SeedGroup("LoRA (r=8)", "LoRA", List.of(run("LoRA (r=8)", s, 0, 900, lora, 0.70), run("LoRA (r=8)", s, 1, 920, lora, 0.74)),
                        List.of(run("LoRA (r=8)", t, 0, 600, lora, Double.NaN), run("LoRA (r=8)", t, 1, 640, lora, Double.NaN))),
                new SeedGroup("KoRA (d_comp=4)", "KoRA", List.of(run("KoRA", s, 0, 880, kora, 0.60), run("KoRA", s, 1, 884, kora, 0.62)),
                        List.of(run("KoRA", t, 0, 700, kora, Double.NaN), run("KoRA", t, 1, 690, kora, Double.NaN))),
                new SeedGroup("Linear probe", "Linear probe", List.of(run("Linear probe", s, 0, 500, probe, Double.NaN)),
                        List.of(run("Linear probe", t, 0, 400, probe, Double.NaN))));
    }

    @Test
    void meanAndSampleStdOfTheMeasuredValues() {
        MeanStd m = MeanStd.of(0.90, 0.92, Double.NaN);
        assertEquals(2, m.n());
        assertEquals(0.91, m.mean(), 1e-15);
        assertEquals(Math.sqrt(2) * 0.01, m.std(), 1e-15, "n − 1 in the denominator");
        assertEquals("91.00 ± 1.41", m.format(100, 2));
        assertEquals("0.5000", MeanStd.of(0.5).format(1, 4), "one seed: the mean alone");
        assertEquals("–", MeanStd.of(Double.NaN).format(1, 2));
        assertEquals(0, MeanStd.of(List.of()).n());
        assertEquals("0.12 ± 0.00", MeanStd.of(0.125, 0.125).format(1, 2), "rounded as Python rounds: 0.125 → 0.12");
    }

    @Test
    void theSeedTableGivesMeanAndStdOverSeeds() {
        String source = MarkdownReport.seedTable(groups(), RunResult.Phase.SOURCE);
        assertTrue(source.startsWith("| Tuning Method | Params Tuned (%) | CKA Sim. | Accuracy (%) [95 % CI] | F1 Score [95 % CI] | Seeds |\n"
                + "|:--|:--:|:--:|:--:|:--:|:--:|\n"), source);
        String lora = source.lines().filter(l -> l.startsWith("| LoRA")).findFirst().orElseThrow();
        // 0.90 and 0.92: mean ± t(0.975, 1)·s/√2 = 0.91 ± 12.7062·0.01 = [0.7829, 1.0371], cut at 1
        assertTrue(lora.startsWith("| LoRA (r=8) | 1.45 | 0.72 ± 0.03 | 91.00 ± 1.41 [78.29, 100.00] | "), lora);
        assertTrue(lora.endsWith(" | 2 |"), lora);
        assertTrue(source.contains("| Linear probe | 0.09 | – | 50.00 [46.91, 53.09] | "), source); // one seed: Wilson's, 500 of 1000
        String transfer = MarkdownReport.seedTable(groups(), RunResult.Phase.TRANSFER);
        // 0.70 and 0.69: 0.695 ± 12.7062·0.005 = [0.6315, 0.7585]
        assertTrue(transfer.contains("| KoRA (d_comp=4) | 1.80 | – | 69.50 ± 0.71 [63.15, 75.85] | "), transfer);
    }

    @Test
    void aGroupPairsItsTransferRunsWithItsSourceRuns() {
        RunResult one = groups().get(0).source().get(0);
        assertThrows(IllegalArgumentException.class, () -> new SeedGroup("x", "x", List.of(one), List.of(one, one)));
        assertEquals("x", new SeedGroup("x", null, List.of(one), List.of()).family());
    }

    @Test
    void drawsAccuracyAgainstParametersAndTransferAgainstSource() throws Exception {
        BufferedImage both = PlotsTest.assertRealPng(Plots.accuracyVsParams(groups()), 1000, 500);
        assertTrue(both.getWidth() > 2 * both.getHeight(), "source and transfer side by side");
        List<SeedGroup> sourceOnly = groups().stream().map(g -> new SeedGroup(g.label(), g.family(), g.source(), List.of())).toList();
        PlotsTest.assertRealPng(Plots.accuracyVsParams(sourceOnly), 700, 500);
        PlotsTest.assertRealPng(Plots.transferVsSource(groups()), 900, 540);
        assertEquals(Optional.empty(), Plots.transferVsSource(sourceOnly));
        assertEquals(Optional.empty(), Plots.accuracyVsParams(List.of()));
    }
}
