package dev.kora4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kora4j.tensor.Rng;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class GemmTest {
    /** C's leading dimension is n + PAD; the padding must come out untouched. */
    private static final int PAD = 3;
    private static final float SENTINEL = 12345f;

    private static float[] random(Rng rng, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rng.nextDouble() * 2 - 1);
        }
        return x;
    }

    /**
     * An operand [rows × cols] stored as layout: "n" row-major, "t" transposed (column-major), "s" a
     * strided view with neither stride 1 (every other element of a larger array), all at an offset.
     */
    private record Operand(float[] data, Gemm.Matrix view, int rows, int cols) {
        static Operand of(Rng rng, int rows, int cols, char layout) {
            int offset = 5;
            float[] data = random(rng, offset + 2 * rows * cols + 1);
            Gemm.Matrix view = switch (layout) {
                case 'n' -> new Gemm.Matrix(data, offset, cols, 1);
                case 't' -> new Gemm.Matrix(data, offset, 1, rows);
                case 's' -> new Gemm.Matrix(data, offset, 2 * cols, 2);
                default -> throw new IllegalArgumentException("layout " + layout);
            };
            return new Operand(data, view, rows, cols);
        }

        double at(int i, int j) {
            return data[view.offset() + i * view.rowStride() + j * view.colStride()];
        }
    }

    /** Runs C (+)= A·B with the given layouts and checks it against a double-precision triple loop. */
    private static void check(int m, int n, int k, String layout, boolean accumulate, boolean serial) {
        Rng rng = new Rng(m * 1_000_003L + n * 1009L + k * 17L + layout.hashCode());
        Operand a = Operand.of(rng, m, k, layout.charAt(0)), b = Operand.of(rng, k, n, layout.charAt(1));
        int ldc = n + PAD, cOffset = 2;
        float[] c = new float[cOffset + m * ldc];
        java.util.Arrays.fill(c, SENTINEL);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                c[cOffset + i * ldc + j] = (float) (rng.nextDouble() * 2 - 1);
            }
        }
        float[] c0 = c.clone();
        if (serial) {
            Gemm.multiplySerial(m, n, k, a.view(), b.view(), c, cOffset, ldc, accumulate);
        } else {
            Gemm.multiply(m, n, k, a.view(), b.view(), c, cOffset, ldc, accumulate);
        }
        String what = "m=" + m + " n=" + n + " k=" + k + " " + layout + (accumulate ? " +=" : "");
        for (int i = 0; i < cOffset + m * ldc; i++) {
            int row = (i - cOffset) / ldc, col = (i - cOffset) % ldc;
            if (i < cOffset || col >= n) {
                assertEquals(SENTINEL, c[i], what + ": wrote outside C at " + i);
                continue;
            }
            double want = accumulate ? c0[i] : 0;
            for (int p = 0; p < k; p++) {
                want += a.at(row, p) * b.at(p, col);
            }
            assertEquals(want, c[i], 1e-5 * Math.max(1, Math.sqrt(k)), what + ": C[" + row + "," + col + "]");
        }
    }

    /** Checks C = A·B or C += A·B for A and/or B stored transposed ("t") or strided ("s"). */
    @ParameterizedTest(name = "m={0} n={1} k={2} {3} accumulate={4}")
    @CsvSource({
        "1,1,1,nn,false", "1,49,3,nn,false", "5,1,7,tn,false", "4,48,256,nn,false",
        "17,97,300,nt,false", "129,50,513,tt,false", "33,160,64,nn,true", "300,33,9,tn,true",
        "7,5,0,nn,false", "7,5,0,nn,true", "260,200,40,nt,true",
        // attention per head: q·kᵀ, P·v, dSᵀ·q, at 65 and 197 tokens
        "65,65,64,nt,false", "65,64,65,nn,false", "65,64,65,tn,false", "197,197,64,nt,false", "197,64,197,tn,false",
        // LoRA: x·Aᵀ, t = g·B, dx += t·A, y += u·Bᵀ, dA = tᵀ·x (thin m, long k), KoRA's 3r = 24
        "130,8,192,nt,false", "130,8,576,nn,false", "130,192,8,nn,true", "130,576,8,nt,true",
        "8,192,1040,tn,false", "24,192,1040,tn,false", "130,24,192,nt,false",
        // packed A (strided views), packed B with more than one row block, odd k past a k-block
        "70,50,300,sn,false", "150,70,257,ss,true", "140,47,1,sn,false", "131,100,259,nn,true",
        // four-vector panels (n a multiple of 64, not of 48): B in place and packed, several k-blocks, partial row tiles
        "64,64,65,nn,false", "130,128,300,nt,true", "37,320,259,tn,false", "5,64,600,nn,true", "201,64,197,sn,false"})
    void matchesTheDefinition(int m, int n, int k, String layout, boolean accumulate) {
        check(m, n, k, layout, accumulate, false);
    }

    static Stream<Arguments> thinOutputs() {
        // every n up to 24 (dot products below one vector, vector tiles from there), k whole vectors and not
        return IntStream.rangeClosed(1, 24).boxed().flatMap(n -> Stream.of(
                Arguments.of(n, 64, "nn", false), Arguments.of(n, 192, "nt", true),
                Arguments.of(n, 17, "nt", false), Arguments.of(n, 48, "tn", true)));
    }

    @ParameterizedTest(name = "m=37 n={0} k={1} {2} accumulate={3}")
    @MethodSource("thinOutputs")
    void thinOutputs(int n, int k, String layout, boolean accumulate) {
        check(37, n, k, layout, accumulate, false);
    }

    static Stream<Arguments> edgeWidths() {
        // a last panel of 1..47 columns after a full one: 1-, 2- and 3-vector tiles with masked stores
        return IntStream.rangeClosed(1, 47).boxed().flatMap(w -> Stream.of(
                Arguments.of(6, 48 + w, 33, "nn", w % 2 == 0), Arguments.of(130, 48 + w, 20, "nt", w % 2 == 1),
                Arguments.of(9, 48 + w, 31, "tn", true)));
    }

    @ParameterizedTest(name = "m={0} n={1} k={2} {3} accumulate={4}")
    @MethodSource("edgeWidths")
    void edgeWidths(int m, int n, int k, String layout, boolean accumulate) {
        check(m, n, k, layout, accumulate, false);
    }

    @ParameterizedTest(name = "serial m={0} n={1} k={2} {3}")
    @CsvSource({"65,65,64,nt", "65,64,65,tn", "33,8,192,nn", "9,100,70,sn"})
    void serialMatchesTheDefinition(int m, int n, int k, String layout) {
        check(m, n, k, layout, true, true);
    }

    /** The same product with 1 and with more threads, and serially, gives the same bits (each path). */
    @ParameterizedTest(name = "m={0} n={1} k={2} {3} accumulate={4}")
    @CsvSource({"300,200,700,nn,false", "300,200,700,nt,true", "700,8,192,nn,false", "700,8,192,nt,true",
        "8,576,1500,tn,false", "300,97,300,tn,true", "300,70,300,sn,false", "300,128,700,nn,false"})
    void resultsDoNotDependOnTheThreadCount(int m, int n, int k, String layout, boolean accumulate) {
        Rng rng = new Rng(4);
        Operand a = Operand.of(rng, m, k, layout.charAt(0)), b = Operand.of(rng, k, n, layout.charAt(1));
        float[] c0 = random(rng, m * n);
        float[] serial = c0.clone();
        Gemm.multiplySerial(m, n, k, a.view(), b.view(), serial, 0, n, accumulate);
        int before = Parallel.threads();
        try {
            for (int threads : new int[] {1, 2, 3}) {
                Parallel.setThreads(threads);
                float[] c = c0.clone();
                Gemm.multiply(m, n, k, a.view(), b.view(), c, 0, n, accumulate);
                assertArrayEquals(serial, c, threads + " threads");
            }
        } finally {
            Parallel.setThreads(before);
        }
    }
}
