package dev.kora4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The blocking the autotuner chooses must never change a bit: every element of C is the fma chain
 * over k in order (from zero, or from C when accumulating), then the epilogue's rank-r terms, then
 * its bias, whatever the k-blocks, row blocks and panel widths. Checked against that chain written
 * out with Math.fma, for blockings far from any a tuner would choose (k-blocks of 1 and 7, row
 * blocks of one register tile), so that every edge and every k-block boundary is crossed.
 */
class GemmBlockingTest {
    private static final List<GemmParams> BLOCKINGS = List.of(GemmParams.DEFAULTS,
            new GemmParams(1, 1, 4, 3), new GemmParams(7, 7, 8, 4), new GemmParams(5, 10, 12, 0),
            new GemmParams(64, 64, 64, 3), new GemmParams(256, 512, 256, 4), new GemmParams(192, 384, 64, 4),
            // one block for a row-major A, blocks of 7 for a transposed one, and the other way round
            new GemmParams(7, 3072, 7, 8, 3), new GemmParams(7, 7, 3072, 8, 0));

    private static float[] random(SplittableRandom random, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        return x;
    }

    /** An operand [rows × cols] row-major ('n'), stored transposed ('t') or strided by 2 ('s'). */
    private static Gemm.Matrix view(float[] data, int rows, int cols, char layout) {
        return switch (layout) {
            case 'n' -> new Gemm.Matrix(data, 1, cols, 1);
            case 't' -> new Gemm.Matrix(data, 1, 1, rows);
            default -> new Gemm.Matrix(data, 1, 2 * cols, 2);
        };
    }

    private static float at(Gemm.Matrix x, int i, int j) {
        return x.data()[x.offset() + i * x.rowStride() + j * x.colStride()];
    }

    @ParameterizedTest(name = "m={0} n={1} k={2} {3} accumulate={4} rank={5} bias={6}")
    @CsvSource({
        "1,1,1,nn,false,0,false", "13,50,300,nt,false,0,false", "37,97,513,tn,true,0,false", "70,64,259,nn,false,0,false",
        "130,128,600,ss,true,0,false", "9,200,40,nt,true,0,false", "65,65,64,nt,false,0,false",
        "197,64,197,tn,false,0,false", "130,8,577,nn,false,0,false", "61,48,129,nn,false,0,false",
        // a few rows over a long k (LoRA's dA = tᵀ·x, KoRA's 3r = 24 rows): GemmFewRows, whole and partial tiles
        "8,192,1576,tn,false,0,false", "5,64,300,tn,true,0,false", "24,96,257,nn,false,0,false", "13,32,256,sn,true,0,false",
        "8,64,400,tn,false,4,true", "10,64,300,nn,false,0,false", "7,96,260,tn,true,0,false",
        // a linear with LoRA's rank-r update and a bias in the epilogue
        "45,100,300,nt,false,8,true", "130,192,200,nn,false,8,true", "17,64,1,nt,false,3,true",
        // ... where some tasks' column ranges are empty (5 panels in blocks of 2 for 4 tasks a row block)
        "300,300,70,nt,false,8,true", "100,300,50,nn,false,8,true",
        // a linear with a bias alone (as in inference), also with edge panels and a narrow output
        "45,100,300,nt,false,0,true", "70,61,259,tn,false,0,true", "130,8,577,nn,false,0,true"})
    void everyBlockingGivesTheFmaChainsBits(int m, int n, int k, String layout, boolean accumulate, int rank, boolean bias) {
        boolean epilogue = rank > 0 || bias;
        SplittableRandom random = new SplittableRandom(m * 31L + n * 7L + k);
        Gemm.Matrix a = view(random(random, 2 + 2 * m * k), m, k, layout.charAt(0));
        Gemm.Matrix b = view(random(random, 2 + 2 * k * n), k, n, layout.charAt(1));
        Gemm.Matrix u = new Gemm.Matrix(random(random, 1 + m * rank), 1, rank, 1);
        Gemm.Matrix v = new Gemm.Matrix(random(random, 1 + rank * n), 1, n, 1);
        float[] biasRow = random(random, n);
        float[] c0 = random(random, m * n);
        float[] want = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float acc = accumulate ? c0[i * n + j] : 0f;
                for (int p = 0; p < k; p++) {
                    acc = Math.fma(at(a, i, p), at(b, p, j), acc);
                }
                for (int p = 0; p < rank; p++) {
                    acc = Math.fma(at(u, i, p), at(v, p, j), acc);
                }
                if (epilogue) {
                    acc += biasRow[j];
                }
                want[i * n + j] = acc;
            }
        }
        for (GemmParams blocking : BLOCKINGS) {
            for (boolean serial : new boolean[] {false, true}) {
                float[] c = c0.clone();
                if (epilogue) {
                    GemmEpilogue linear = new GemmEpilogue(u, v, rank, null, 0, null, 0, biasRow, 0, null, 0, null, 0);
                    Gemm.multiply(blocking, m, n, k, a, b, c, 0, n, linear);
                } else if (serial) {
                    Gemm.multiplySerial(blocking, m, n, k, a, b, c, 0, n, accumulate);
                } else {
                    Gemm.multiply(blocking, m, n, k, a, b, c, 0, n, accumulate);
                }
                for (int e = 0; e < m * n; e++) {
                    String where = blocking + (serial ? ", serial" : "") + ": C[" + e / n + "," + e % n + "] = " + c[e]
                            + ", the fma chain gives " + want[e];
                    assertEquals(Float.floatToRawIntBits(want[e]), Float.floatToRawIntBits(c[e]), where);
                }
            }
        }
    }

    /** The few-row cases above do reach that path wherever the vector kernels run. */
    @Test
    void loraGradientsTakeTheFewRowsTile() {
        Gemm.Matrix x = new Gemm.Matrix(new float[1576 * 192], 0, 192, 1);
        assertEquals(Simd.ENABLED, GemmFewRows.applies(8, 192, 1576, x));
        assertEquals(Simd.ENABLED, GemmFewRows.applies(24, 96, 257, x));
        assertTrue(!GemmFewRows.applies(8, 192, 1576, new Gemm.Matrix(new float[1576 * 192], 0, 1, 1576)), "a transposed B is packed");
        assertTrue(!GemmFewRows.applies(25, 192, 1576, x), "more rows take the general tiles");
    }
}
