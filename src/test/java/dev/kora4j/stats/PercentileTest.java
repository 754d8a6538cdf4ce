package dev.kora4j.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** The percentile rule against numpy's np.percentile(x, q) (test-data/stats/stats_cases.json). */
class PercentileTest {
    /** numpy's steps, repeated: equal to the bit. */
    @Test
    void matchesNumpy() {
        for (JsonNode c : StatsFixtures.cases("percentile")) {
            double[] values = StatsFixtures.doubles(c.get("values"));
            double[] qs = StatsFixtures.doubles(c.get("q"));
            double[] expected = StatsFixtures.doubles(c.get("expected"));
            for (int i = 0; i < qs.length; i++) {
                assertEquals(expected[i], Percentile.of(values, qs[i]), 0.0, values.length + " values, q = " + qs[i]);
            }
        }
    }

    /** By hand: 4 values, q = 25 → h = 3·0.25 = 0.75 → 1 + 0.75·(2 − 1) = 1.75 (numpy's b − d·(1 − g) form). */
    @Test
    void linearInterpolationByHand() {
        double[] values = {4, 1, 3, 2};
        assertEquals(1.75, Percentile.of(values, 25));
        assertEquals(2.5, Percentile.of(values, 50));
        assertEquals(1.0, Percentile.of(values, 0));
        assertEquals(4.0, Percentile.of(values, 100));
        assertEquals(4.0, values[0], "input left unsorted");
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> Percentile.of(new double[0], 50));
        assertThrows(IllegalArgumentException.class, () -> Percentile.of(new double[] {1}, 101));
        assertThrows(IllegalArgumentException.class, () -> Percentile.of(new double[] {1, Double.NaN}, 50));
        assertThrows(IllegalArgumentException.class, () -> Percentile.ofSorted(new double[] {2, 1}, 50));
    }
}
