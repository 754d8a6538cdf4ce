package dev.kora4j.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** Student t quantiles and CDF against scipy's t.ppf and t.cdf (test-data/stats/stats_cases.json). */
class StudentTTest {
    static final double QUANTILE_TOL = 1e-12;
    static final double CDF_TOL = 1e-13;

    @Test
    void quantileMatchesScipy() {
        for (JsonNode c : StatsFixtures.cases("t_ppf")) {
            double p = c.get("p").asDouble();
            int df = c.get("df").asInt();
            double expected = c.get("t").asDouble();
            double actual = StudentT.quantile(p, df);
            assertTrue(StatsFixtures.close(expected, actual, QUANTILE_TOL),
                    "t.ppf(" + p + ", df=" + df + ") = " + actual + ", scipy " + expected);
        }
    }

    @Test
    void cdfMatchesScipy() {
        for (JsonNode c : StatsFixtures.cases("t_cdf")) {
            double t = c.get("t").asDouble();
            int df = c.get("df").asInt();
            double expected = c.get("p").asDouble();
            double actual = StudentT.cdf(t, df);
            assertTrue(StatsFixtures.close(expected, actual, CDF_TOL), "t.cdf(" + t + ", df=" + df + ") = " + actual + ", scipy " + expected);
        }
    }

    @Test
    void quantileInvertsTheCdf() {
        for (int df : new int[] {1, 2, 3, 6, 17, 250, 1000}) {
            for (double p : new double[] {1e-6, 0.01, 0.3, 0.4999, 0.7, 0.975}) {
                double t = StudentT.quantile(p, df);
                assertTrue(StatsFixtures.close(p, StudentT.cdf(t, df), 1e-12), "cdf(quantile(" + p + ", " + df + "))");
            }
        }
    }

    /** Half-way between the median and the tails the answer is small: it must keep its relative precision there. */
    @Test
    void quantileNearTheMedianKeepsRelativePrecision() {
        // df = 1 is the Cauchy distribution: t = tan(π(p − 1/2)); 0.5 + 1e-9 is exactly 0.500000001000000082740371...
        double p = 0.500000001;
        assertEquals(Math.tan(Math.PI * (p - 0.5)), StudentT.quantile(p, 1), 1e-15 * 3.2e-9);
        // df = 2: t = (2p − 1)/√(2p(1 − p)).
        assertEquals((2 * p - 1) / Math.sqrt(2 * p * (1 - p)), StudentT.quantile(p, 2), 1e-15 * 2.9e-9);
        // Other df against mpmath (60 digits): 2.6666665912481827681e-9 for df = 4.
        assertEquals(2.6666665912481827681e-9, StudentT.quantile(p, 4), 1e-14 * 2.7e-9);
    }

    @Test
    void largeDegreesOfFreedomApproachTheNormal() {
        assertEquals(Normal.quantile(0.975), StudentT.quantile(0.975, 1_000_000), 1e-5);
    }

    @Test
    void rejectsBadArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StudentT.quantile(0.5, 0));
        assertTrue(e.getMessage().contains("degrees of freedom"), e.getMessage());
        for (double p : new double[] {0, 1, Double.NaN}) {
            e = assertThrows(IllegalArgumentException.class, () -> StudentT.quantile(p, 3));
            assertTrue(e.getMessage().contains("p must be in (0, 1)"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> StudentT.cdf(Double.NaN, 3));
        assertEquals(0.0, StudentT.cdf(Double.NEGATIVE_INFINITY, 3));
        assertEquals(1.0, StudentT.cdf(Double.POSITIVE_INFINITY, 3));
    }
}
