package dev.kora4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import jcuda.jcublas.cublasOperation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * The row-major → column-major mapping of the cuBLAS call, checked without a GPU: a plain Java
 * column-major sgemm (cuBLAS's documented semantics) run with the planned operations and leading
 * dimensions must give the row-major product, for contiguous, transposed and row-padded operands.
 */
class CudaGemmPlanTest {
    /** Column-major C[i + j·ldc] = Σ_p op(X)(i, p)·op(Y)(p, j), as cublasSgemm defines it (α = 1, β = 0). */
    private static void columnMajorGemm(int opX, int opY, int rows, int cols, int inner, float[] x, int xOff, int ldx,
                                        float[] y, int yOff, int ldy, float[] c, int ldc) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                float acc = 0;
                for (int p = 0; p < inner; p++) {
                    float xv = opX == cublasOperation.CUBLAS_OP_N ? x[xOff + i + p * ldx] : x[xOff + p + i * ldx];
                    float yv = opY == cublasOperation.CUBLAS_OP_N ? y[yOff + p + j * ldy] : y[yOff + j + p * ldy];
                    acc += xv * yv;
                }
                c[i + j * ldc] = acc;
            }
        }
    }

    /** A [rows, cols] operand stored as: 0 row-major, 1 column-major (a transposed view), 2 row-major with padded rows. */
    private record Stored(float[] data, int rowStride, int colStride) {
        static Stored of(Rng rng, int rows, int cols, int layout) {
            int pad = layout == 2 ? 3 : 0;
            float[] data = new float[(rows + 1) * (cols + pad + 1) + 1];
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) (rng.nextDouble() * 2 - 1);
            }
            return layout == 1 ? new Stored(data, 1, Math.max(rows, 1)) : new Stored(data, cols + pad, 1);
        }

        float at(int i, int j) {
            return data[i * rowStride + j * colStride];
        }

        CudaGemm.Matrix matrix() {
            return new CudaGemm.Matrix(null, 0, rowStride, colStride);
        }
    }

    @ParameterizedTest(name = "[{0}x{2}]·[{2}x{1}] a layout {3}, b layout {4}")
    @CsvSource({"3,5,7,0,0", "3,5,7,1,0", "3,5,7,0,1", "3,5,7,1,1", "4,6,5,2,2", "4,6,5,2,1", "1,1,1,0,0", "1,7,3,1,0",
            "6,1,4,0,1", "5,4,1,1,2", "1,1,9,1,1", "9,8,1,2,0"})
    void plannedCallComputesTheRowMajorProduct(int m, int n, int k, int aLayout, int bLayout) {
        Rng rng = new Rng(m * 100 + n * 10 + k);
        Stored a = Stored.of(rng, m, k, aLayout), b = Stored.of(rng, k, n, bLayout);
        CudaGemm.CublasPlan plan = CudaGemm.CublasPlan.of(a.matrix(), b.matrix(), m, n, k);
        assertNotNull(plan);
        float[] c = new float[m * n];
        // cublasSgemm(opB, opA, n, m, k, B, ldb, A, lda, C, ldc = n): column-major Cᵀ [n, m] = row-major C [m, n]
        columnMajorGemm(plan.opB(), plan.opA(), n, m, k, b.data(), 0, plan.ldb(), a.data(), 0, plan.lda(), c, n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float want = 0;
                for (int p = 0; p < k; p++) {
                    want += a.at(i, p) * b.at(p, j);
                }
                assertEquals(want, c[i * n + j], 1e-5, "C[" + i + ", " + j + "]");
            }
        }
    }

    @Test
    void operandsWithoutAUnitStrideAreNotGivenToCublas() {
        CudaGemm.Matrix strided = new CudaGemm.Matrix(null, 0, 8, 2);
        CudaGemm.Matrix dense = new CudaGemm.Matrix(null, 0, 4, 1);
        assertNull(CudaGemm.CublasPlan.of(strided, dense, 3, 4, 4));
        assertNull(CudaGemm.CublasPlan.of(dense, strided, 3, 4, 4));
    }

    @Test
    void batchDimsCollapseToOneStrideWhenTheyCan() {
        Tensor t = Tensor.zeros(2, 3, 4, 5);
        assertEquals(20, CudaGemm.batchStride(t));                                  // [2,3] batches of 4×5
        assertEquals(0, CudaGemm.batchStride(Tensor.zeros(1, 4, 5).expand(6, 4, 5))); // broadcast
        assertEquals(0, CudaGemm.batchStride(Tensor.zeros(4, 5)));                   // no batch
        assertEquals(-1, CudaGemm.batchStride(t.transpose(0, 1)));                  // [3,2] batches: no single stride
        assertEquals(60, CudaGemm.batchStride(t.transpose(0, 1).select(0, 1)));     // [2] batches, 60 apart
    }

    @Test
    void sgemmOperandStructIsLittleEndian() {
        long[] packed = CudaGemm.operand(new CudaGemm.Matrix(null, 123456789012L, 7, -3));
        assertEquals(123456789012L, packed[0]);
        assertEquals(7, (int) packed[1]);            // row_stride, the lower address
        assertEquals(-3, (int) (packed[1] >>> 32));  // col_stride
    }
}
