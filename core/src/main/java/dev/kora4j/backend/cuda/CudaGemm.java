package dev.kora4j.backend.cuda;

import static dev.kora4j.backend.cuda.CudaTensors.dense;
import static dev.kora4j.backend.cuda.CudaTensors.ptr;

import dev.kora4j.tensor.Tensor;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasMath;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.cudaStream_t;

/**
 * Batched matrix products c ← a·b (or c += a·b) on row-major tensors: through cuBLAS (JCublas2)
 * when its library loads, else through the hand-written sgemm kernel (kernels/gemm.cu). JCuda 12.6
 * needs libcublas.so.12, which hosts with only CUDA 13 lack, so the kernel is a real path.
 * {@code -Dkora.cuda.gemm=kernel} chooses the kernel; {@code -Dkora.cuda.tf32=true} lets cuBLAS use
 * TF32 tensor cores (faster, about 10 mantissa bits).
 *
 * <p>cuBLAS is column-major; a row-major C [M, N] is a column-major Cᵀ [N, M], and Cᵀ = Bᵀ·Aᵀ, so
 * the call passes B first, then A, each transposed or not by whichever of its strides is 1.
 */
final class CudaGemm {
    private final CudaContext context;
    private final cublasHandle handle;
    private final String description;

    CudaGemm(CudaContext context) {
        this.context = context;
        cublasHandle h = null;
        String what;
        if ("kernel".equals(System.getProperty("kora.cuda.gemm"))) {
            what = "hand-written sgemm kernel (chosen by kora.cuda.gemm=kernel)";
        } else {
            try {
                JCublas2.setExceptionsEnabled(true);
                h = new cublasHandle();
                context.makeCurrent();
                JCublas2.cublasCreate(h);
                JCublas2.cublasSetStream(h, new cudaStream_t(context.stream()));
                int[] version = new int[1];
                JCublas2.cublasGetVersion(h, version);
                boolean tf32 = Boolean.getBoolean("kora.cuda.tf32");
                if (tf32) {
                    JCublas2.cublasSetMathMode(h, cublasMath.CUBLAS_TF32_TENSOR_OP_MATH);
                }
                what = "cuBLAS " + version[0] + (tf32 ? " (TF32 tensor cores)" : " (FP32)");
            } catch (LinkageError | CudaException e) {
                h = null;
                what = "hand-written sgemm kernel (cuBLAS did not load: " + e.getMessage() + ")";
            }
        }
        this.handle = h;
        this.description = what;
    }

    /** Which GEMM runs, and why. */
    String description() {
        return description;
    }

    boolean usesCublas() {
        return handle != null;
    }

    /** One operand matrix [rows, cols] of every batch: element (i, j) at i·rowStride + j·colStride, batches batchStride apart. */
    record Matrix(CUdeviceptr pointer, long batchStride, int rowStride, int colStride) {}

    /**
     * The operations and leading dimensions of the cublasSgemm call that computes row-major
     * C [m, n] = A·B as column-major Cᵀ = op(B)·op(A) (B is cuBLAS's first operand); null when an
     * operand has no unit stride (it is then copied, or the kernel used).
     */
    record CublasPlan(int opB, int ldb, int opA, int lda) {
        static CublasPlan of(Matrix a, Matrix b, int m, int n, int k) {
            int[] as = cublasShape(a, m, k), bs = cublasShape(b, k, n);
            return as == null || bs == null ? null : new CublasPlan(bs[0], bs[1], as[0], as[1]);
        }
    }

    void multiply(Tensor a, Tensor b, Tensor c, boolean accumulate) {
        int rank = c.rank();
        int m = c.size(rank - 2), n = c.size(rank - 1), k = a.size(rank - 1);
        CudaTensors.requireContiguous("matmul", c, "output");
        int batches = c.numel() / Math.max(1, m * n);
        if (m == 0 || n == 0 || batches == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                context.launch("fill", new int[] {CudaTensors.blocksFor(c.numel()), 1, 1}, new int[] {CudaTensors.THREADS, 1, 1}, 0,
                        ptr("matmul", c), 0f, (long) c.numel());
            }
            return;
        }
        // Operands whose batch dims do not collapse into one stride are copied contiguous first.
        try (CudaTensors.Dense ad = batchStride(a) < 0 ? dense(context, "matmul", a) : null;
             CudaTensors.Dense bd = batchStride(b) < 0 ? dense(context, "matmul", b) : null) {
            Matrix am = matrix(a, ad), bm = matrix(b, bd);
            Matrix cm = new Matrix(ptr("matmul", c), (long) m * n, n, 1);
            CublasPlan plan = handle == null ? null : CublasPlan.of(am, bm, m, n, k);
            if (plan != null) {
                cublas(plan, am, bm, cm, m, n, k, batches, accumulate);
            } else {
                kernel(am, bm, cm, m, n, k, batches, accumulate);
            }
        }
    }

    private Matrix matrix(Tensor t, CudaTensors.Dense copy) {
        int rank = t.rank(), rows = t.size(rank - 2), cols = t.size(rank - 1);
        if (copy != null && copy.copy() != null) {
            return new Matrix(copy.pointer(), (long) rows * cols, cols, 1);
        }
        return new Matrix(ptr("matmul", t), batchStride(t), t.stride(rank - 2), t.stride(rank - 1));
    }

    /** The one stride between consecutive batches of t (0 when broadcast or single), or −1 if there is none. */
    static long batchStride(Tensor t) {
        int batchDims = t.rank() - 2;
        long stride = 0;
        long span = -1; // the stride the next outer dim needs, once an inner one is seen
        for (int d = batchDims - 1; d >= 0; d--) {
            if (t.size(d) == 1) {
                continue;
            }
            if (span < 0) {
                stride = t.stride(d);
            } else if (t.stride(d) != span) {
                return -1;
            }
            span = (long) t.stride(d) * t.size(d);
        }
        return stride;
    }

    /** For cuBLAS: {transpose?, leading dim} of a row-major [rows, cols] operand, or null if neither stride is unit. */
    private static int[] cublasShape(Matrix x, int rows, int cols) {
        int rs = rows == 1 ? Math.max(cols, 1) : x.rowStride(), cs = cols == 1 ? 1 : x.colStride();
        if (cs == 1 && rs >= Math.max(1, cols)) {
            return new int[] {cublasOperation.CUBLAS_OP_N, rs}; // column-major view: [cols, rows], as cuBLAS wants Xᵀ
        }
        rs = rows == 1 ? 1 : x.rowStride();
        cs = cols == 1 ? Math.max(rows, 1) : x.colStride();
        if (rs == 1 && cs >= Math.max(1, rows)) {
            return new int[] {cublasOperation.CUBLAS_OP_T, cs};
        }
        return null;
    }

    private void cublas(CublasPlan plan, Matrix a, Matrix b, Matrix c, int m, int n, int k, int batches, boolean accumulate) {
        Pointer one = Pointer.to(new float[] {1f}), beta = Pointer.to(new float[] {accumulate ? 1f : 0f});
        context.makeCurrent();
        try {
            JCublas2.cublasSgemmStridedBatched(handle, plan.opB(), plan.opA(), n, m, k, one,
                    b.pointer(), plan.ldb(), b.batchStride(), a.pointer(), plan.lda(), a.batchStride(),
                    beta, c.pointer(), n, c.batchStride(), batches);
        } catch (CudaException e) {
            throw new CudaException("cuda: cublasSgemmStridedBatched [" + m + "×" + k + "]·[" + k + "×" + n + "] × " + batches + ": " + e.getMessage(), e);
        }
    }

    private void kernel(Matrix a, Matrix b, Matrix c, int m, int n, int k, int batches, boolean accumulate) {
        for (int first = 0; first < batches; first += 65535) { // gridDim.z is at most 65535
            int count = Math.min(65535, batches - first);
            context.launch("sgemm", new int[] {(n + 63) / 64, (m + 63) / 64, count}, new int[] {256, 1, 1}, 0,
                    a.pointer().withByteOffset(first * a.batchStride() * Float.BYTES), operand(a),
                    b.pointer().withByteOffset(first * b.batchStride() * Float.BYTES), operand(b),
                    c.pointer().withByteOffset(first * c.batchStride() * Float.BYTES), c.batchStride(), n,
                    m, n, k, accumulate ? 1 : 0);
        }
    }

    /** The kernel's struct Operand {long batch_stride; int row_stride; int col_stride;} as two longs (little-endian). */
    static long[] operand(Matrix x) {
        return new long[] {x.batchStride(), (x.rowStride() & 0xffffffffL) | ((long) x.colStride() << 32)};
    }
}
