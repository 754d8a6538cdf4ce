package dev.kora4j.report;

import dev.kora4j.metrics.Evaluation;
import dev.kora4j.stats.McNemar;
import dev.kora4j.stats.SeedSummary;
import java.util.List;

/**
 * Two methods evaluated on the same test images, compared seed by seed ({@link PairedComparisons}).
 *
 * @param a the first method's label
 * @param b the second method's label
 * @param phase the task both were evaluated on
 * @param seeds one test per seed both ran with, in seed order
 * @param difference accuracy of a minus accuracy of b (fractions), summarised over the seeds: mean,
 *     std and the Student-t interval
 * @param p the paired t-test's two-sided p-value over the seeds (NaN with fewer than two)
 * @param pHolm {@code p} after Holm's correction over the comparisons shown beside it
 */
public record PairedComparison(String a, String b, RunResult.Phase phase, List<SeedTest> seeds, SeedSummary difference,
                               double p, double pHolm) {
    /** The level every test is read at. */
    public static final double ALPHA = 0.05;

    /**
     * McNemar's exact test of one seed's two runs on their per-image outcomes.
     *
     * @param difference accuracy of a minus accuracy of b on this seed
     * @param pHolm McNemar's p after Holm's correction over the comparisons' tests of this seed
     */
    public record SeedTest(long seed, double difference, McNemar.Result mcnemar, double pHolm) {
        public boolean significant() {
            return pHolm < ALPHA;
        }
    }

    public PairedComparison {
        seeds = List.copyOf(seeds);
    }

    /**
     * Whether the difference holds: over several seeds, the paired t-test after Holm's correction; with
     * one seed, that seed's McNemar test after Holm's correction.
     */
    public boolean significant() {
        return seeds.size() >= 2 ? pHolm < ALPHA : seeds.size() == 1 && seeds.getFirst().significant();
    }

    /** The same comparison read the other way round: b against a. */
    public PairedComparison flipped() {
        List<SeedTest> tests = seeds.stream().map(t -> new SeedTest(t.seed(), -t.difference(),
                new McNemar.Result(t.mcnemar().c(), t.mcnemar().b(), t.mcnemar().pValue()), t.pHolm())).toList();
        double[] d = tests.stream().mapToDouble(SeedTest::difference).toArray();
        return new PairedComparison(b, a, phase, tests, SeedSummary.of(d, Evaluation.CONFIDENCE), p, pHolm);
    }

    /** How many seeds' McNemar tests are significant after Holm's correction. */
    public long significantSeeds() {
        return seeds.stream().filter(SeedTest::significant).count();
    }
}
