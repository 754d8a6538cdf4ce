package dev.kora4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kora4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearCkaTest {
    static final Path CASES = Path.of("test-data", "metrics", "cka_cases.json");
    static final double TOL = 1e-12;

    static double[][] random(Random rng, int n, int p) {
        double[][] x = new double[n][p];
        for (double[] row : x) {
            for (int a = 0; a < p; a++) {
                row[a] = rng.nextGaussian();
            }
        }
        return x;
    }

    static double[][] times(double[][] x, double[][] m) {
        double[][] out = new double[x.length][m[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int k = 0; k < m.length; k++) {
                for (int j = 0; j < m[0].length; j++) {
                    out[i][j] += x[i][k] * m[k][j];
                }
            }
        }
        return out;
    }

    /** A random orthogonal p×p matrix: Gram–Schmidt on Gaussian columns. */
    static double[][] orthogonal(Random rng, int p) {
        double[][] q = random(rng, p, p); // q[row][col]; orthonormalise columns
        for (int j = 0; j < p; j++) {
            for (int k = 0; k < j; k++) {
                double dot = 0;
                for (int i = 0; i < p; i++) {
                    dot += q[i][j] * q[i][k];
                }
                for (int i = 0; i < p; i++) {
                    q[i][j] -= dot * q[i][k];
                }
            }
            double norm = 0;
            for (int i = 0; i < p; i++) {
                norm += q[i][j] * q[i][j];
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < p; i++) {
                q[i][j] /= norm;
            }
        }
        return q;
    }

    @Test
    void matchesNumpyFixture() throws IOException {
        JsonNode root = new ObjectMapper().readTree(CASES.toFile());
        List<double[][]> feats = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (JsonNode f : root.get("features")) {
            int n = f.get("rows").asInt(), p = f.get("cols").asInt();
            double[][] x = new double[n][p];
            for (int i = 0; i < n * p; i++) {
                x[i / p][i % p] = f.get("data").get(i).asDouble();
            }
            feats.add(x);
            labels.add("f" + labels.size());
        }
        CkaMatrix m = LinearCka.matrix(labels, feats);
        for (int i = 0; i < feats.size(); i++) {
            for (int j = 0; j < feats.size(); j++) {
                double expected = root.get("cka").get(i).get(j).asDouble();
                assertEquals(expected, m.get(i, j), 1e-12, "CKA[" + i + "][" + j + "]");
                assertEquals(expected, LinearCka.cka(feats.get(i), feats.get(j)), 1e-12, "pairwise CKA[" + i + "][" + j + "]");
            }
        }
        assertEquals(m.get(1, 2), m.summary());
    }

    @Test
    void selfSimilarityIsOneAndTheMatrixIsSymmetric() {
        Random rng = new Random(1);
        List<double[][]> feats = List.of(random(rng, 32, 48), random(rng, 32, 8), random(rng, 32, 300));
        CkaMatrix m = LinearCka.matrix(List.of("a", "b", "c"), feats);
        for (int i = 0; i < 3; i++) {
            assertEquals(1.0, m.get(i, i));
            assertEquals(1.0, LinearCka.cka(feats.get(i), feats.get(i)), TOL);
            for (int j = 0; j < 3; j++) {
                assertEquals(m.get(i, j), m.get(j, i));
                assertEquals(LinearCka.cka(feats.get(i), feats.get(j)), LinearCka.cka(feats.get(j), feats.get(i)), TOL);
                assertTrue(m.get(i, j) >= 0 && m.get(i, j) <= 1 + TOL, "in [0, 1]: " + m.get(i, j));
            }
        }
    }

    @Test
    void invariantToIsotropicScalingOrthogonalMapsAndShifts() {
        Random rng = new Random(2);
        double[][] x = random(rng, 40, 12);
        double[][] y = random(rng, 40, 7);
        for (double[] row : y) {
            row[0] += 0.8 * row[1] + 0.1; // some shared structure, so the value is not near 0
        }
        double base = LinearCka.cka(x, y);
        double[][] scaled = new double[x.length][x[0].length];
        double[][] shifted = new double[x.length][x[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int a = 0; a < x[0].length; a++) {
                scaled[i][a] = -3.7 * x[i][a];
                shifted[i][a] = x[i][a] + 5 * a - 2;
            }
        }
        double[][] rotated = times(x, orthogonal(rng, 12));
        assertEquals(base, LinearCka.cka(scaled, y), TOL);
        assertEquals(base, LinearCka.cka(rotated, y), TOL);
        assertEquals(base, LinearCka.cka(shifted, y), TOL);
        assertEquals(1.0, LinearCka.cka(x, rotated), TOL);
        assertEquals(1.0, LinearCka.cka(x, scaled), TOL);
    }

    /** Wide features (p > n, as 768-wide class tokens over 32 images) go through Gram matrices; both routes agree. */
    @Test
    void gramAndFeatureRoutesAgree() {
        Random rng = new Random(3);
        for (int[] shape : new int[][] {{10, 50, 40}, {60, 5, 9}, {20, 20, 3}}) {
            LinearCka.Centred x = LinearCka.Centred.of("x", random(rng, shape[0], shape[1]));
            LinearCka.Centred y = LinearCka.Centred.of("y", random(rng, shape[0], shape[2]));
            double viaFeatures = LinearCka.crossByFeatures(x, y);
            double viaGram = LinearCka.crossByGram(x, y);
            assertEquals(viaFeatures, viaGram, 1e-10 * Math.abs(viaFeatures));
        }
    }

    @Test
    void tensorsAreFlattenedPerExample() {
        Random rng = new Random(4);
        double[][] x = random(rng, 6, 12);
        double[][] y = random(rng, 6, 5);
        double[] flatX = new double[72];
        double[] flatY = new double[30];
        for (int i = 0; i < 6; i++) {
            System.arraycopy(x[i], 0, flatX, i * 12, 12);
            System.arraycopy(y[i], 0, flatY, i * 5, 5);
        }
        Tensor tx = Tensor.of(flatX, 6, 3, 4);
        Tensor ty = Tensor.of(flatY, 6, 5);
        assertEquals(LinearCka.cka(x, y), LinearCka.cka(tx, ty), TOL);
        // A non-contiguous view reads the same numbers.
        assertEquals(LinearCka.cka(y, x), LinearCka.cka(ty.t().contiguous().t(), tx), TOL);
    }

    @Test
    void constantFeaturesGiveNaNAndBadShapesAreRejected() {
        double[][] constant = {{1, 2}, {1, 2}, {1, 2}};
        double[][] x = {{0, 1}, {2, 3}, {5, 4}};
        assertTrue(Double.isNaN(LinearCka.cka(constant, x)));
        assertTrue(Double.isNaN(LinearCka.matrix(List.of("c", "x"), List.of(constant, x)).get(0, 0)));
        assertThrows(IllegalArgumentException.class, () -> LinearCka.cka(x, new double[][] {{1}, {2}}));
        assertThrows(IllegalArgumentException.class, () -> LinearCka.cka(new double[][] {{1, 2}, {3}}, x));
        assertThrows(IllegalArgumentException.class, () -> LinearCka.matrix(List.of("a"), List.of(x, x)));
        assertThrows(IllegalArgumentException.class, () -> new CkaMatrix(List.of("a", "b"), new double[][] {{1, 0}}));
    }

    @Test
    void matrixIsACopyAndComparesByValue() {
        double[][] v = {{1, 0.5}, {0.5, 1}};
        CkaMatrix m = new CkaMatrix(List.of("Block 0", "Block 11"), v);
        v[0][1] = 9;
        assertEquals(0.5, m.get(0, 1));
        m.values()[0][1] = 9;
        assertEquals(0.5, m.get(0, 1));
        assertEquals(new CkaMatrix(List.of("Block 0", "Block 11"), new double[][] {{1, 0.5}, {0.5, 1}}), m);
        assertTrue(Double.isNaN(new CkaMatrix(List.of("x"), new double[][] {{1}}).summary()));
    }
}
