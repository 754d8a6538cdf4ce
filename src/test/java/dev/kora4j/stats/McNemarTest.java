package dev.kora4j.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * McNemar's exact test against statsmodels' mcnemar(exact=True) and scipy's binomtest, and the binomial
 * CDF under it against scipy's binom.cdf (test-data/stats/stats_cases.json).
 */
class McNemarTest {
    static final double TOL = 1e-12;

    @Test
    void pValueMatchesStatsmodelsAndScipy() {
        for (JsonNode c : StatsFixtures.cases("mcnemar")) {
            long b = c.get("b").asLong();
            long cc = c.get("c").asLong();
            double actual = McNemar.pValue(b, cc);
            double statsmodels = c.get("statsmodels").asDouble();
            double scipy = c.get("scipy").asDouble();
            assertTrue(StatsFixtures.close(statsmodels, actual, TOL), "b=" + b + ", c=" + cc + ": " + actual + ", statsmodels " + statsmodels);
            assertTrue(StatsFixtures.close(scipy, actual, TOL), "b=" + b + ", c=" + cc + ": " + actual + ", scipy " + scipy);
        }
    }

    @Test
    void binomialCdfMatchesScipy() {
        for (JsonNode c : StatsFixtures.cases("binom_cdf")) {
            long k = c.get("k").asLong();
            long n = c.get("n").asLong();
            double p = c.get("p").asDouble();
            double expected = c.get("cdf").asDouble();
            double actual = Binomial.cdf(k, n, p);
            assertTrue(StatsFixtures.close(expected, actual, TOL), "binom.cdf(" + k + ", " + n + ", " + p + ") = " + actual + ", scipy " + expected);
        }
    }

    /** Six items that only B gets right, plus concordant ones: p = 2·(1/2)^6 exactly. */
    @Test
    void constructedPairWithKnownAnswer() {
        boolean[] a = {true, false, false, true, false, false, false, false, true, false, false};
        boolean[] b = {true, true, true, true, true, true, true, false, true, false, true};
        McNemar.Result result = McNemar.test(a, b);
        assertEquals(0, result.b());
        assertEquals(6, result.c());
        assertEquals(0.03125, result.pValue());
        assertEquals(result.pValue(), McNemar.test(b, a).pValue(), "two-sided: swapping A and B changes nothing");
        assertEquals(6, McNemar.test(b, a).b());
    }

    /**
     * b = 3, c = 10: 2·(C(13,0)+C(13,1)+C(13,2)+C(13,3))/2^13 = 2·378/8192, by hand. The saddle-point
     * form is within a few ulps of it (2e-15 here), not exact.
     */
    @Test
    void smallTableByHand() {
        double exact = 2.0 * (1 + 13 + 78 + 286) / 8192;
        assertEquals(exact, McNemar.pValue(3, 10), 4e-15 * exact);
    }

    @Test
    void edgeCases() {
        assertEquals(1.0, McNemar.test(new boolean[0], new boolean[0]).pValue(), "no discordant items: p = 1");
        assertEquals(1.0, McNemar.test(new boolean[] {true, false}, new boolean[] {true, false}).pValue());
        assertEquals(1.0, McNemar.pValue(7, 7), "b = c: capped at 1");
        assertEquals(1.0, McNemar.pValue(50_000, 50_000));
        // 2·2^−100000 is below the smallest double: 0 is the correctly rounded answer, not an underflow artefact.
        assertEquals(0.0, McNemar.pValue(0, 100_000));
        // Large but balanced-ish tables stay in (0, 1) and symmetric.
        double p = McNemar.pValue(49_900, 50_100);
        assertTrue(p > 0.5 && p < 0.55, "p = " + p);
        assertEquals(p, McNemar.pValue(50_100, 49_900));
    }

    @Test
    void rejectsMismatchedLengthsAndNegativeCounts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> McNemar.test(new boolean[3], new boolean[4]));
        assertTrue(e.getMessage().contains("correctA has 3 items but correctB has 4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> McNemar.pValue(-1, 3));
        assertThrows(IllegalArgumentException.class, () -> Binomial.cdf(1, 3, 1.5));
        assertThrows(IllegalArgumentException.class, () -> Binomial.cdf(1, -3, 0.5));
    }
}
