package dev.kora4j.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** Per-seed summaries against numpy's mean and std(ddof=1) and scipy's t.interval (test-data/stats/stats_cases.json). */
class SeedSummaryTest {
    static final double TOL = 1e-12;

    @Test
    void matchesNumpyAndScipy() {
        for (JsonNode c : StatsFixtures.cases("seed_summary")) {
            double confidence = c.get("confidence").asDouble();
            SeedSummary s = c.has("values")
                    ? SeedSummary.of(StatsFixtures.doubles(c.get("values")), confidence)
                    : SeedSummary.paired(StatsFixtures.doubles(c.get("a")), StatsFixtures.doubles(c.get("b")), confidence);
            String name = c.toString();
            assertEquals(c.get("n").asInt(), s.n(), name);
            assertTrue(StatsFixtures.close(c.get("mean").asDouble(), s.mean(), TOL), name + ": mean " + s.mean());
            assertTrue(StatsFixtures.close(c.get("std").asDouble(), s.std(), TOL), name + ": std " + s.std());
            assertTrue(StatsFixtures.close(c.get("lower").asDouble(), s.interval().lower(), TOL), name + ": lower " + s.interval().lower());
            assertTrue(StatsFixtures.close(c.get("upper").asDouble(), s.interval().upper(), TOL), name + ": upper " + s.interval().upper());
        }
    }

    /** Two seeds 0.5 and 0.75: mean 0.625, std 0.25/√2, half-width t_{0.975,1}·0.125 = 12.7062047361747·0.125. */
    @Test
    void twoSeedsByHand() {
        SeedSummary s = SeedSummary.of(new double[] {0.5, 0.75}, 0.95);
        assertEquals(0.625, s.mean());
        assertEquals(0.25 / Math.sqrt(2), s.std(), 1e-16);
        assertEquals(0.625 - 12.706204736174707 * 0.125, s.interval().lower(), 1e-13);
    }

    @Test
    void oneSeedHasNoIntervalAndNoneHasNoMean() {
        SeedSummary one = SeedSummary.of(new double[] {0.8}, 0.95);
        assertEquals(1, one.n());
        assertEquals(0.8, one.mean());
        assertTrue(Double.isNaN(one.std()));
        assertTrue(Double.isNaN(one.interval().lower()) && Double.isNaN(one.interval().upper()));
        SeedSummary none = SeedSummary.of(new double[0], 0.95);
        assertEquals(0, none.n());
        assertTrue(Double.isNaN(none.mean()));
        assertTrue(Double.isNaN(none.interval().width()));
    }

    @Test
    void equalValuesGiveAZeroWidthInterval() {
        SeedSummary s = SeedSummary.of(new double[] {0.75, 0.75, 0.75}, 0.95); // sums and means exactly
        assertEquals(0.0, s.std());
        assertEquals(0.0, s.interval().width());
    }

    @Test
    void rejectsBadArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SeedSummary.paired(new double[] {1, 2}, new double[] {1}, 0.95));
        assertTrue(e.getMessage().contains("a has 2 values but b has 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SeedSummary.of(new double[] {1, Double.NaN}, 0.95));
        assertTrue(e.getMessage().contains("index 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SeedSummary.of(new double[] {1, 2}, 1.0));
    }
}
