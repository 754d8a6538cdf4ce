package dev.kora4j.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** Holm's step-down correction against statsmodels' multipletests(method='holm') (test-data/stats/stats_cases.json). */
class HolmTest {
    /** Same products and maxima as statsmodels: equal to the bit. */
    @Test
    void matchesStatsmodels() {
        for (JsonNode c : StatsFixtures.cases("holm")) {
            String name = c.get("name").asText();
            double[] p = StatsFixtures.doubles(c.get("p"));
            double alpha = c.get("alpha").asDouble();
            assertArrayEquals(StatsFixtures.doubles(c.get("adjusted")), Holm.adjust(p), 0.0, name + ": adjusted");
            boolean[] expected = new boolean[p.length];
            for (int i = 0; i < p.length; i++) {
                expected[i] = c.get("reject").get(i).asBoolean();
            }
            assertArrayEquals(expected, Holm.reject(p, alpha), name + ": reject");
        }
    }

    /**
     * By hand: sorted 0.005, 0.01, 0.03, 0.04 against 0.05/4, 0.05/3, 0.05/2, 0.05/1 — the first two
     * pass, 0.03 > 0.025 stops. Adjusted: 4·0.005 = 0.02, 3·0.01 = 0.03, 2·0.03 = 0.06, max(1·0.04, 0.06).
     */
    @Test
    void workedExample() {
        double[] p = {0.01, 0.04, 0.03, 0.005};
        assertArrayEquals(new boolean[] {true, false, false, true}, Holm.reject(p, 0.05));
        assertArrayEquals(new double[] {0.03, 0.06, 0.06, 0.02}, Holm.adjust(p), 1e-16);
    }

    @Test
    void adjustedValuesAreMonotoneAndCapped() {
        double[] p = {0.5, 0.3, 0.9, 0.02, 0.04, 0.04};
        double[] adjusted = Holm.adjust(p);
        for (int i = 0; i < p.length; i++) {
            assertTrue(adjusted[i] >= p[i] && adjusted[i] <= 1, "index " + i);
            for (int j = 0; j < p.length; j++) {
                if (p[i] <= p[j]) {
                    assertTrue(adjusted[i] <= adjusted[j], "order kept between " + i + " and " + j);
                }
            }
        }
        assertEquals(adjusted[4], adjusted[5], "ties adjust equally");
        assertEquals(0, Holm.adjust(new double[0]).length);
    }

    @Test
    void rejectsBadArguments() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Holm.adjust(new double[] {0.1, Double.NaN}));
        assertTrue(e.getMessage().contains("index 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Holm.adjust(new double[] {1.5}));
        assertThrows(IllegalArgumentException.class, () -> Holm.adjust(new double[] {-0.1}));
        e = assertThrows(IllegalArgumentException.class, () -> Holm.reject(new double[] {0.1}, 0));
        assertTrue(e.getMessage().contains("alpha"), e.getMessage());
    }
}
