package dev.kora4j.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** Wilson intervals against statsmodels' proportion_confint(method='wilson') (test-data/stats/stats_cases.json). */
class WilsonTest {
    /**
     * The same formula in the same order; the bounds may differ by rounding only. The absolute part
     * covers the ends, which are exactly 0 and 1 here and within an ulp of them in statsmodels.
     */
    static final double RELATIVE = 1e-12;
    static final double ABSOLUTE = 1e-15;

    @Test
    void matchesStatsmodels() {
        for (JsonNode c : StatsFixtures.cases("wilson")) {
            long successes = c.get("successes").asLong();
            long trials = c.get("trials").asLong();
            double confidence = c.get("confidence").asDouble();
            Interval interval = Wilson.interval(successes, trials, confidence);
            String name = successes + "/" + trials + " at " + confidence;
            double lower = c.get("lower").asDouble();
            double upper = c.get("upper").asDouble();
            assertEquals(lower, interval.lower(), RELATIVE * lower + ABSOLUTE, name + ": lower");
            assertEquals(upper, interval.upper(), RELATIVE * upper + ABSOLUTE, name + ": upper");
        }
    }

    @Test
    void endsAreExactAtNoneAndAllSuccesses() {
        assertEquals(0.0, Wilson.interval(0, 10, 0.95).lower());
        assertEquals(1.0, Wilson.interval(10, 10, 0.95).upper());
        Interval half = Wilson.interval(50, 100, 0.95);
        assertEquals(0.5, (half.lower() + half.upper()) / 2, 1e-15, "symmetric about 1/2");
    }

    @Test
    void widerAtHigherConfidence() {
        assertTrue(Wilson.interval(45, 100, 0.99).width() > Wilson.interval(45, 100, 0.95).width());
        assertTrue(Wilson.interval(45, 100, 0.95).width() > Wilson.interval(45, 100, 0.90).width());
    }

    @Test
    void rejectsBadArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Wilson.interval(0, 0, 0.95));
        assertTrue(e.getMessage().contains("trials must be positive"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Wilson.interval(11, 10, 0.95));
        assertTrue(e.getMessage().contains("successes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Wilson.interval(-1, 10, 0.95));
        for (double confidence : new double[] {0, 1, Double.NaN}) {
            e = assertThrows(IllegalArgumentException.class, () -> Wilson.interval(3, 10, confidence));
            assertTrue(e.getMessage().contains("confidence"), e.getMessage());
        }
    }
}
