package dev.kora4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kora4j.tensor.Rng;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GemmTest {
    private static float[] random(Rng rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return x;
    }

    /** Checks C = A·B (+ C0 when accumulating) against a double-precision triple loop, for A and/or B stored transposed. */
    @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4} accumulate={5}")
    @CsvSource({
        "1,1,1,false,false,false", "1,49,3,false,false,false", "5,1,7,true,false,false", "4,48,256,false,false,false",
        "17,97,300,false,true,false", "129,50,513,true,true,false", "33,160,64,false,false,true", "300,33,9,true,false,true",
        "7,5,0,false,false,false", "7,5,0,false,false,true", "260,200,40,false,true,true"})
    void matchesTheDefinition(int m, int n, int k, boolean transA, boolean transB, boolean accumulate) {
        Rng rng = new Rng(m * 1000L + n * 10L + k);
        float[] a = random(rng, m * k), b = random(rng, k * n), c = random(rng, m * n);
        float[] c0 = c.clone();
        // A(i, p) is a[i*k + p], or a[p*m + i] when stored transposed; likewise B.
        Gemm.Matrix am = transA ? new Gemm.Matrix(a, 0, 1, m) : new Gemm.Matrix(a, 0, k, 1);
        Gemm.Matrix bm = transB ? new Gemm.Matrix(b, 0, 1, k) : new Gemm.Matrix(b, 0, n, 1);
        Gemm.multiply(m, n, k, am, bm, c, 0, n, accumulate);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double want = accumulate ? c0[i * n + j] : 0;
                for (int p = 0; p < k; p++) {
                    double av = transA ? a[p * m + i] : a[i * k + p];
                    double bv = transB ? b[j * k + p] : b[p * n + j];
                    want += av * bv;
                }
                assertEquals(want, c[i * n + j], 1e-5 * Math.max(1, Math.sqrt(k)), "C[" + i + "," + j + "]");
            }
        }
    }

    @ParameterizedTest(name = "threads {0} vs 1")
    @CsvSource({"2", "3"})
    void resultsDoNotDependOnTheThreadCount(int threads) {
        int m = 300, n = 200, k = 700;
        Rng rng = new Rng(4);
        float[] a = random(rng, m * k), b = random(rng, k * n);
        float[] one = new float[m * n], many = new float[m * n];
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            Gemm.multiply(m, n, k, new Gemm.Matrix(a, 0, k, 1), new Gemm.Matrix(b, 0, n, 1), one, 0, n, false);
            Parallel.setThreads(threads);
            Gemm.multiply(m, n, k, new Gemm.Matrix(a, 0, k, 1), new Gemm.Matrix(b, 0, n, 1), many, 0, n, false);
        } finally {
            Parallel.setThreads(before);
        }
        assertArrayEquals(one, many);
    }
}
