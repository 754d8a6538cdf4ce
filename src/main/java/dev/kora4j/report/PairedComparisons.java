package dev.kora4j.report;

import dev.kora4j.metrics.Evaluation;
import dev.kora4j.metrics.ImagePredictions;
import dev.kora4j.stats.Holm;
import dev.kora4j.stats.McNemar;
import dev.kora4j.stats.SeedSummary;
import dev.kora4j.stats.StudentT;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every pair of methods evaluated on the same test images in one phase: per seed, McNemar's exact test
 * on the images one got right and the other wrong; over the seeds, the paired difference in accuracy
 * with its Student-t interval and p-value. Holm's correction runs over the pairs compared together:
 * once over the pairs' paired t-tests, and once per seed over that seed's McNemar tests.
 *
 * <p>Two runs are paired when they share a seed and scored the same images (the same true labels in
 * the same order); a pair of methods with no such runs is left out.
 */
public final class PairedComparisons {
    private PairedComparisons() {}

    /** A method's runs in one phase, any number of seeds. */
    public record Arm(String label, List<RunResult> runs) {}

    /** The arms of one phase of an experiment: its runs grouped by method, in order of first appearance. */
    public static List<Arm> arms(Experiment e, RunResult.Phase phase) {
        Map<String, List<RunResult>> byMethod = new LinkedHashMap<>();
        for (RunResult r : e.runs(phase)) {
            byMethod.computeIfAbsent(r.method(), k -> new ArrayList<>()).add(r);
        }
        List<Arm> out = new ArrayList<>();
        byMethod.forEach((method, runs) -> out.add(new Arm(method, runs)));
        return out;
    }

    /** Each pair (i < j) of arms, a = arms[i], b = arms[j], with Holm's correction over them. */
    public static List<PairedComparison> of(List<Arm> arms, RunResult.Phase phase) {
        List<Pairing> pairings = new ArrayList<>();
        for (int i = 0; i < arms.size(); i++) {
            for (int j = i + 1; j < arms.size(); j++) {
                Pairing p = pair(arms.get(i), arms.get(j));
                if (!p.seeds.isEmpty()) {
                    pairings.add(p);
                }
            }
        }
        double[] tHolm = holmOver(pairings.stream().mapToDouble(p -> p.pairedP).toArray());
        Map<Long, double[]> mcnemarHolm = new TreeMap<>();
        for (long seed : pairings.stream().flatMap(p -> p.seeds.keySet().stream()).distinct().toList()) {
            mcnemarHolm.put(seed, holmOver(pairings.stream()
                    .mapToDouble(p -> p.seeds.containsKey(seed) ? p.seeds.get(seed).pValue() : Double.NaN).toArray()));
        }
        List<PairedComparison> out = new ArrayList<>();
        for (int k = 0; k < pairings.size(); k++) {
            Pairing p = pairings.get(k);
            List<PairedComparison.SeedTest> tests = new ArrayList<>();
            for (Map.Entry<Long, McNemar.Result> s : p.seeds.entrySet()) {
                double[] accuracy = p.accuracies.get(s.getKey());
                tests.add(new PairedComparison.SeedTest(s.getKey(), accuracy[0] - accuracy[1], s.getValue(), mcnemarHolm.get(s.getKey())[k]));
            }
            out.add(new PairedComparison(p.a, p.b, phase, tests, p.difference, p.pairedP, tHolm[k]));
        }
        return out;
    }

    /** The two arms' runs that share a seed and scored the same images, by seed. */
    private static Pairing pair(Arm a, Arm b) {
        Pairing p = new Pairing(a.label(), b.label());
        for (RunResult ra : a.runs()) {
            for (RunResult rb : b.runs()) {
                ImagePredictions pa = ra.evaluation().predictions(), pb = rb.evaluation().predictions();
                if (ra.seed() == rb.seed() && pa != null && pb != null && pa.sameImages(pb)) {
                    p.seeds.put(ra.seed(), McNemar.test(pa.correct(), pb.correct()));
                    p.accuracies.put(ra.seed(), new double[] {ra.evaluation().accuracy(), rb.evaluation().accuracy()});
                }
            }
        }
        double[] accA = p.accuracies.values().stream().mapToDouble(v -> v[0]).toArray();
        double[] accB = p.accuracies.values().stream().mapToDouble(v -> v[1]).toArray();
        p.difference = SeedSummary.paired(accA, accB, Evaluation.CONFIDENCE);
        p.pairedP = pairedT(p.difference);
        return p;
    }

    /**
     * The two-sided p-value of the paired t-test that the mean difference is 0; NaN with fewer than
     * two seeds. Differences that are all equal give 1 when they are 0 and 0 otherwise (t is infinite).
     */
    static double pairedT(SeedSummary differences) {
        int n = differences.n();
        if (n < 2) {
            return Double.NaN;
        }
        if (differences.std() == 0) {
            return differences.mean() == 0 ? 1 : 0;
        }
        double t = differences.mean() / (differences.std() / Math.sqrt(n));
        return Math.min(1, 2 * StudentT.cdf(-Math.abs(t), n - 1));
    }

    /** Holm's adjusted p-values of the finite entries; NaN where the entry is NaN (a test not made). */
    private static double[] holmOver(double[] p) {
        double[] finite = java.util.Arrays.stream(p).filter(Double::isFinite).toArray();
        double[] adjusted = finite.length == 0 ? finite : Holm.adjust(finite);
        double[] out = new double[p.length];
        for (int i = 0, k = 0; i < p.length; i++) {
            out[i] = Double.isFinite(p[i]) ? adjusted[k++] : Double.NaN;
        }
        return out;
    }

    private static final class Pairing {
        final String a, b;
        final Map<Long, McNemar.Result> seeds = new TreeMap<>();
        /** Per seed, a's accuracy and b's. */
        final Map<Long, double[]> accuracies = new TreeMap<>();
        SeedSummary difference;
        double pairedP;

        Pairing(String a, String b) {
            this.a = a;
            this.b = b;
        }
    }
}
