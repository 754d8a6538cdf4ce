package dev.kora4j.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** erfc, the normal CDF and its quantile against scipy (test-data/stats/stats_cases.json). */
class NormalTest {
    /** scipy and this code are each within a few ulps of the exact value at the fixture points. */
    static final double TOL = 1e-14;

    @Test
    void erfcMatchesScipy() {
        for (JsonNode c : StatsFixtures.cases("erfc")) {
            double x = c.get("x").asDouble();
            double expected = c.get("erfc").asDouble();
            double actual = ErrorFunction.erfc(x);
            assertTrue(StatsFixtures.close(expected, actual, TOL), "erfc(" + x + ") = " + actual + ", scipy " + expected);
        }
    }

    @Test
    void cdfMatchesScipy() {
        for (JsonNode c : StatsFixtures.cases("normal_cdf")) {
            double x = c.get("x").asDouble();
            double expected = c.get("p").asDouble();
            double actual = Normal.cdf(x);
            assertTrue(StatsFixtures.close(expected, actual, TOL), "cdf(" + x + ") = " + actual + ", scipy " + expected);
        }
    }

    @Test
    void quantileMatchesScipy() {
        for (JsonNode c : StatsFixtures.cases("normal_ppf")) {
            double p = c.get("p").asDouble();
            double expected = c.get("x").asDouble();
            double actual = Normal.quantile(p);
            assertTrue(StatsFixtures.close(expected, actual, TOL), "quantile(" + p + ") = " + actual + ", scipy " + expected);
        }
    }

    @Test
    void quantileInvertsTheCdfAndIsSymmetric() {
        for (double p : new double[] {1e-12, 1e-4, 0.01, 0.2, 0.45, 0.5, 0.55, 0.8, 0.99}) {
            double x = Normal.quantile(p);
            assertTrue(StatsFixtures.close(p, Normal.cdf(x), 1e-14), "cdf(quantile(" + p + "))");
            double upper = 1 - p; // its mirror 1 − upper is exact (upper ≥ 1/2 here), unlike 1 − p for small p
            if (upper >= 0.5) {
                assertEquals(-Normal.quantile(1 - upper), Normal.quantile(upper), 0.0, "symmetry at " + upper);
            }
        }
        assertEquals(0.0, Normal.quantile(0.5));
        assertEquals(0.0, Normal.cdf(Double.NEGATIVE_INFINITY));
        assertEquals(1.0, Normal.cdf(Double.POSITIVE_INFINITY));
        assertEquals(0.0, Normal.cdf(-40), "underflows to 0, not NaN");
        assertTrue(Normal.cdf(-38) > 0, "the lower tail reaches the subnormals");
        assertEquals(1.959963984540054, Normal.quantile(0.975), 1e-15);
    }

    @Test
    void rejectsProbabilitiesOutsideTheOpenUnitInterval() {
        for (double p : new double[] {0, 1, -0.1, 1.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Normal.quantile(p));
            assertTrue(e.getMessage().contains("p must be in (0, 1)"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Normal.cdf(Double.NaN));
    }
}
