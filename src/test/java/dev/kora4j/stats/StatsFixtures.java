package dev.kora4j.stats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * test-data/stats/stats_cases.json: values computed by scipy, statsmodels, numpy and scikit-learn
 * (make_stats_fixtures.py beside it), read once.
 */
final class StatsFixtures {
    static final Path CASES = Path.of("test-data", "stats", "stats_cases.json");
    private static JsonNode root;

    private StatsFixtures() {}

    static synchronized JsonNode root() {
        if (root == null) {
            try {
                root = new ObjectMapper().readTree(CASES.toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return root;
    }

    /** The cases of one section, e.g. "t_ppf". */
    static List<JsonNode> cases(String section) {
        List<JsonNode> out = new ArrayList<>();
        root().get(section).forEach(out::add);
        return out;
    }

    static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    /** |actual − expected| ≤ relative·|expected|, with exact equality required when expected is 0. */
    static boolean close(double expected, double actual, double relative) {
        return expected == actual || Math.abs(actual - expected) <= relative * Math.abs(expected);
    }
}
