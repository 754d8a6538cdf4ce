package dev.kora4j.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kora4j.metrics.ConfusionMatrix;
import dev.kora4j.tensor.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * The bootstrap against a replay in Python (test-data/stats/stats_cases.json): the generator there
 * re-implements the index stream, recomputes each replicate's statistic with scikit-learn or numpy and
 * takes np.percentile. Also: the same bits for any thread count and run to run.
 */
class BootstrapTest {
    static final double TOL = 1e-12;

    static JsonNode bootstrapCase(String name) {
        return StatsFixtures.cases("bootstrap").stream().filter(c -> c.get("name").asText().equals(name)).findFirst().orElseThrow();
    }

    static ToDoubleFunction<int[]> meanOf(double[] values) {
        return indices -> {
            double sum = 0;
            for (int i : indices) {
                sum += values[i];
            }
            return sum / indices.length;
        };
    }

    /** On one thread replicates run in order, so the first calls of the statistic see replicates 0 and 1. */
    @Test
    void indexStreamMatchesThePythonReplay() {
        for (String name : new String[] {"weighted_f1", "mean_negative_seed"}) {
            JsonNode c = bootstrapCase(name);
            int items = c.get("first_indices").get(0).size();
            List<int[]> seen = new ArrayList<>();
            Bootstrap.statistics(items, () -> indices -> {
                seen.add(indices.clone());
                return 0;
            }, 2, c.get("seed").asLong(), 1);
            for (int r = 0; r < 2; r++) {
                assertArrayEquals(StatsFixtures.ints(c.get("first_indices").get(r)), seen.get(r), name + ": replicate " + r);
            }
        }
    }

    @Test
    void weightedF1MatchesScikitLearnPerReplicateAndNumpyPercentiles() {
        JsonNode c = bootstrapCase("weighted_f1");
        int[] labels = StatsFixtures.ints(c.get("labels"));
        int[] predicted = StatsFixtures.ints(c.get("predicted"));
        int classes = c.get("num_classes").asInt();
        int replicates = c.get("replicates").asInt();
        long seed = c.get("seed").asLong();
        double confidence = c.get("confidence").asDouble();

        double[] statistics = Bootstrap.statistics(labels.length, () -> new WeightedF1(labels, predicted, classes), replicates, seed, 1);
        double[] expected = StatsFixtures.doubles(c.get("replicate_statistics"));
        for (int r = 0; r < replicates; r++) {
            assertTrue(StatsFixtures.close(expected[r], statistics[r], TOL), "replicate " + r + ": " + statistics[r] + ", sklearn " + expected[r]);
        }
        Interval interval = Bootstrap.weightedF1(labels, predicted, classes, replicates, seed, confidence, 1);
        assertTrue(StatsFixtures.close(c.get("lower").asDouble(), interval.lower(), TOL), "lower " + interval);
        assertTrue(StatsFixtures.close(c.get("upper").asDouble(), interval.upper(), TOL), "upper " + interval);

        double point = ConfusionMatrix.of(labels, predicted, classes).weightedF1();
        assertEquals(c.get("point_estimate").asDouble(), point, TOL);
        assertTrue(interval.contains(point), interval + " should contain the point estimate " + point);
        assertTrue(interval.width() > 0.02, "a 300-item resample moves F1 by more than 0.01: " + interval);
    }

    @Test
    void meanMatchesNumpyWithANegativeSeed() {
        JsonNode c = bootstrapCase("mean_negative_seed");
        double[] values = StatsFixtures.doubles(c.get("values"));
        int replicates = c.get("replicates").asInt();
        long seed = c.get("seed").asLong();
        double[] statistics = Bootstrap.statistics(values.length, () -> meanOf(values), replicates, seed, 1);
        double[] expected = StatsFixtures.doubles(c.get("replicate_statistics"));
        for (int r = 0; r < replicates; r++) {
            assertTrue(StatsFixtures.close(expected[r], statistics[r], TOL), "replicate " + r);
        }
        Interval interval = Bootstrap.interval(values.length, meanOf(values), replicates, seed, c.get("confidence").asDouble());
        assertTrue(StatsFixtures.close(c.get("lower").asDouble(), interval.lower(), TOL), "lower " + interval);
        assertTrue(StatsFixtures.close(c.get("upper").asDouble(), interval.upper(), TOL), "upper " + interval);
        assertTrue(interval.contains(c.get("point_estimate").asDouble()));
    }

    /** The fast counting path gives the bits of ConfusionMatrix.weightedF1 on every replicate. */
    @Test
    void fastWeightedF1EqualsConfusionMatrix() {
        int n = 2_000;
        int classes = 13;
        int[][] data = randomPredictions(n, classes, 0.6, 99);
        int[] labels = data[0];
        int[] predicted = data[1];
        ToDoubleFunction<int[]> viaMatrix = indices -> {
            int[] t = new int[indices.length];
            int[] p = new int[indices.length];
            for (int i = 0; i < indices.length; i++) {
                t[i] = labels[indices[i]];
                p[i] = predicted[indices[i]];
            }
            return ConfusionMatrix.of(t, p, classes).weightedF1();
        };
        double[] slow = Bootstrap.statistics(n, () -> viaMatrix, 50, 5, 1);
        double[] fast = Bootstrap.statistics(n, () -> new WeightedF1(labels, predicted, classes), 50, 5, 1);
        assertArrayEquals(slow, fast, 0.0);
        assertEquals(Bootstrap.interval(n, viaMatrix, 50, 5, 0.95), Bootstrap.weightedF1(labels, predicted, classes, 50, 5, 0.95, 1));
    }

    @Test
    void sameBitsForAnyThreadCountAndRunToRun() {
        int[][] data = randomPredictions(3_000, 20, 0.55, 3);
        Interval reference = Bootstrap.weightedF1(data[0], data[1], 20, 301, 42L, 0.95, 1);
        for (int threads : new int[] {1, 2, 3, 7}) {
            assertEquals(reference, Bootstrap.weightedF1(data[0], data[1], 20, 301, 42L, 0.95, threads), threads + " threads");
        }
        assertEquals(reference, Bootstrap.weightedF1(data[0], data[1], 20, 301, 42L, 0.95));

        double[] values = new double[500];
        Rng rng = new Rng(8);
        for (int i = 0; i < values.length; i++) {
            values[i] = rng.nextGaussian();
        }
        double[] one = Bootstrap.statistics(values.length, () -> meanOf(values), 97, -3L, 1);
        for (int threads : new int[] {2, 3, 7, 200}) {
            assertArrayEquals(one, Bootstrap.statistics(values.length, () -> meanOf(values), 97, -3L, threads), 0.0, threads + " threads");
        }
        assertEquals(Bootstrap.interval(values.length, meanOf(values), 97, -3L, 0.9),
                Bootstrap.interval(values.length, meanOf(values), 97, -3L, 0.9, 3));
        assertTrue(!Bootstrap.interval(values.length, meanOf(values), 97, -3L, 0.9)
                .equals(Bootstrap.interval(values.length, meanOf(values), 97, -4L, 0.9)), "another seed, other draws");
    }

    /** The spread of a mean over n items shrinks like 1/√n: 16 times the items, about a quarter of the width. */
    @Test
    void narrowsAsItemsGrow() {
        double small = meanIntervalWidth(250);
        double large = meanIntervalWidth(4_000);
        assertTrue(large < 0.35 * small && large > 0.15 * small, "widths " + small + " and " + large);
    }

    static double meanIntervalWidth(int items) {
        double[] values = new double[items];
        Rng rng = new Rng(17);
        for (int i = 0; i < items; i++) {
            values[i] = rng.nextDouble() < 0.7 ? 1 : 0;
        }
        return Bootstrap.interval(items, meanOf(values), 400, 11L, 0.95, 2).width();
    }

    @Test
    void constantStatisticGivesAZeroWidthInterval() {
        Interval interval = Bootstrap.interval(50, indices -> 0.25, 100, 1L, 0.95);
        assertEquals(new Interval(0.25, 0.25), interval);
        assertEquals(0.0, interval.width());
    }

    @Test
    void rejectsBadArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Bootstrap.interval(10, i -> 0, 0, 1L, 0.95));
        assertTrue(e.getMessage().contains("replicates must be ≥ 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Bootstrap.interval(0, i -> 0, 10, 1L, 0.95));
        assertTrue(e.getMessage().contains("items"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Bootstrap.interval(10, i -> 0, 10, 1L, 0.95, 0));
        assertTrue(e.getMessage().contains("threads"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Bootstrap.interval(10, i -> 0, 10, 1L, 1.0));
        assertTrue(e.getMessage().contains("confidence"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Bootstrap.interval(10, i -> Double.NaN, 10, 1L, 0.95));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Bootstrap.weightedF1(new int[] {0, 1}, new int[] {0}, 2, 10, 1L, 0.95));
        assertTrue(e.getMessage().contains("2 true labels but 1 predictions"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Bootstrap.weightedF1(new int[] {0, 2}, new int[] {0, 1}, 2, 10, 1L, 0.95));
        assertTrue(e.getMessage().contains("index 1"), e.getMessage());
        // A failing statistic surfaces on the calling thread, from any worker.
        assertThrows(ArithmeticException.class, () -> Bootstrap.interval(10, i -> {
            throw new ArithmeticException("boom");
        }, 10, 1L, 0.95, 3));
    }

    /** Labels in [0, classes) and predictions right with probability {@code accuracy}. */
    static int[][] randomPredictions(int n, int classes, double accuracy, long seed) {
        Rng rng = new Rng(seed);
        int[] labels = new int[n];
        int[] predicted = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(classes);
            predicted[i] = rng.nextDouble() < accuracy ? labels[i] : rng.nextInt(classes);
        }
        return new int[][] {labels, predicted};
    }
}
