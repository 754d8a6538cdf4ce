package dev.kora4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.metrics.Evaluation;
import dev.kora4j.metrics.ImagePredictions;
import dev.kora4j.stats.SeedSummary;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pairs of methods on the same images: McNemar per seed, the paired difference over seeds, Holm over the pairs. */
class PairedComparisonsTest {
    private static final int IMAGES = 200;

    /** A run on IMAGES images of two classes whose outcome on image i is {@code right[i]}. */
    private static RunResult run(String method, long seed, boolean[] right) {
        int[] labels = new int[IMAGES], predicted = new int[IMAGES];
        for (int i = 0; i < IMAGES; i++) {
            labels[i] = i % 2;
            predicted[i] = right[i] ? labels[i] : 1 - labels[i];
        }
        return new RunResult(method, RunResult.Phase.TRANSFER, "digits", seed, Map.of(), null, List.of(),
                Evaluation.of(new ImagePredictions(labels, predicted), 2, Double.NaN), null, 1, List.of());
    }

    /** Right on the first {@code from} images, wrong on the rest. */
    private static boolean[] right(int from) {
        boolean[] r = new boolean[IMAGES];
        Arrays.fill(r, 0, from, true);
        return r;
    }

    @Test
    void mcNemarCountsTheDiscordantImagesOfEachSeed() {
        // seed 0: A right on 120, B on 100 of the same first images: b = 20, c = 0; p = 2·2^−20
        RunResult a = run("A", 0, right(120)), b = run("B", 0, right(100));
        List<PairedComparison> c = PairedComparisons.of(List.of(new PairedComparisons.Arm("A", List.of(a)),
                new PairedComparisons.Arm("B", List.of(b))), RunResult.Phase.TRANSFER);
        assertEquals(1, c.size());
        PairedComparison.SeedTest t = c.getFirst().seeds().getFirst();
        assertEquals(20, t.mcnemar().b());
        assertEquals(0, t.mcnemar().c());
        assertEquals(2 * Math.pow(0.5, 20), t.mcnemar().pValue(), 1e-18);
        assertEquals(0.10, t.difference(), 1e-15);
        assertTrue(c.getFirst().significant(), "one seed: McNemar decides");
        assertTrue(Double.isNaN(c.getFirst().p()), "no t-test over one seed");

        PairedComparison back = c.getFirst().flipped();
        assertEquals("B", back.a());
        assertEquals(0, back.seeds().getFirst().mcnemar().b());
        assertEquals(20, back.seeds().getFirst().mcnemar().c());
        assertEquals(-0.10, back.difference().mean(), 1e-15);
    }

    /** Differences 0.01, 0.02, 0.03: t = 0.02/(0.01/√3) = 2√3, and for 2 degrees of freedom p = 1 − t/√(t² + 2) exactly. */
    @Test
    void thePairedTTestOverSeedsMatchesItsClosedForm() {
        double t = 2 * Math.sqrt(3);
        assertEquals(1 - t / Math.sqrt(t * t + 2), pairedT(0.01, 0.02, 0.03), 1e-12);
        assertEquals(1, pairedT(0, 0));
        assertEquals(0, pairedT(0.05, 0.05));
        assertTrue(Double.isNaN(pairedT(0.05)));
    }

    private static double pairedT(double... differences) {
        return PairedComparisons.pairedT(SeedSummary.of(differences, Evaluation.CONFIDENCE));
    }

    @Test
    void holmsCorrectionRunsOverThePairsOfATable() {
        // three methods on seeds 0 and 1: A ≫ C, B a little above C, A a little above B
        List<PairedComparisons.Arm> arms = List.of(
                new PairedComparisons.Arm("A", List.of(run("A", 0, right(150)), run("A", 1, right(152)))),
                new PairedComparisons.Arm("B", List.of(run("B", 0, right(104)), run("B", 1, right(101)))),
                new PairedComparisons.Arm("C", List.of(run("C", 0, right(100)), run("C", 1, right(100)))));
        List<PairedComparison> c = PairedComparisons.of(arms, RunResult.Phase.TRANSFER);
        assertEquals(List.of("A−B", "A−C", "B−C"), c.stream().map(x -> x.a() + "−" + x.b()).toList());
        // per seed, McNemar's p-values of the three pairs are Holm-adjusted together: the smallest times 3, and so on
        double[] seed0 = c.stream().mapToDouble(x -> x.seeds().getFirst().mcnemar().pValue()).toArray();
        double[] sorted = seed0.clone();
        Arrays.sort(sorted);
        for (PairedComparison x : c) {
            PairedComparison.SeedTest t = x.seeds().getFirst();
            int rank = Arrays.binarySearch(sorted, t.mcnemar().pValue());
            double expected = Math.min(1, rank == 0 ? 3 * sorted[0] : Math.max(3 * sorted[0], rank == 1 ? 2 * sorted[1] : Math.max(2 * sorted[1], sorted[2])));
            assertEquals(expected, t.pHolm(), 1e-15, x.a() + "−" + x.b());
        }
        assertEquals(c.get(1).seeds().size(), 2);
        assertTrue(c.get(1).seeds().stream().allMatch(PairedComparison.SeedTest::significant), "A − C: 50 images one way, none the other");
        assertFalse(c.get(2).seeds().stream().anyMatch(PairedComparison.SeedTest::significant), "B − C: 4 and 1 images");
        // over the seeds, the paired t-tests' p-values are Holm-adjusted over the three pairs
        double[] p = c.stream().mapToDouble(PairedComparison::p).toArray();
        assertEquals(List.of(true, true, true), c.stream().map(x -> x.pHolm() >= x.p()).toList());
        assertEquals(Math.min(1, 3 * Arrays.stream(p).min().orElseThrow()), c.stream().mapToDouble(PairedComparison::pHolm).min().orElseThrow(), 1e-15);
    }

    @Test
    void onlyRunsOnTheSameImagesAndSeedArePaired() {
        RunResult a = run("A", 0, right(120)), otherSeed = run("B", 1, right(100));
        assertTrue(PairedComparisons.of(List.of(new PairedComparisons.Arm("A", List.of(a)), new PairedComparisons.Arm("B", List.of(otherSeed))),
                RunResult.Phase.TRANSFER).isEmpty(), "no seed in common");
        int[] shifted = new int[IMAGES];
        Arrays.setAll(shifted, i -> (i + 1) % 2);
        RunResult otherImages = new RunResult("B", RunResult.Phase.TRANSFER, "digits", 0, Map.of(), null, List.of(),
                Evaluation.of(new ImagePredictions(shifted, shifted), 2, Double.NaN), null, 1, List.of());
        assertTrue(PairedComparisons.of(List.of(new PairedComparisons.Arm("A", List.of(a)), new PairedComparisons.Arm("B", List.of(otherImages))),
                RunResult.Phase.TRANSFER).isEmpty(), "other true labels: other images");
    }

    @Test
    void theVerdictSaysHowSureItIs() {
        List<PairedComparisons.Arm> arms = List.of(
                new PairedComparisons.Arm("KoRA", List.of(run("KoRA", 0, right(110)), run("KoRA", 1, right(130)), run("KoRA", 2, right(104)))),
                new PairedComparisons.Arm("LoRA", List.of(run("LoRA", 0, right(100)), run("LoRA", 1, right(100)), run("LoRA", 2, right(100)))));
        PairedComparison c = PairedComparisons.of(arms, RunResult.Phase.TRANSFER).getFirst();
        // differences 0.05, 0.15, 0.02 (scipy: mean ± t.ppf(0.975, 2)·s/√3 = [−0.0958, 0.2424], ttest_1samp p = 0.2030);
        // McNemar: 10 / 0 (p = 0.0020), 30 / 0 and 4 / 0 (p = 0.125)
        assertEquals(0.20302408839755975, c.p(), 1e-12);
        String line = MarkdownReport.verdictLine(c, 1);
        assertTrue(line.startsWith("**KoRA vs LoRA, transfer task**: +7.33 points of accuracy (mean of 3 seeds), 95 % CI [−9.58, +24.24]; "
                + "paired t p = 0.2030 (Holm over 1 pair); "), line);
        assertTrue(line.contains("McNemar significant in 2 of 3 seeds") && line.endsWith("**not significant** at 5 %."), line);
    }
}
