package dev.kora4j.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * C = A·B (or C += A·B) in F32, packed GotoBLAS-style:
 *
 * <pre>
 *   for each k-block of KC:          B packed once into panels of NR columns (KC × NR each)
 *     for each task (a tile of C):   A rows of the tile packed into panels of MR rows (KC × MR)
 *       for each B panel, A panel:   the micro-kernel keeps an MR × NR tile of C in registers
 * </pre>
 *
 * Operands are strided views (element (i, j) at offset + i·rowStride + j·colStride), so a
 * transposed operand costs nothing extra: the packing reads it in whichever order it lies.
 * Every element of C sums its k terms in the same order however the tiles are cut, so the
 * result does not depend on the thread count.
 */
public final class Gemm {
    private static final VectorSpecies<Float> S = Simd.F32;
    private static final int L = S.length();
    /** Rows of the register tile. */
    static final int MR = 4;
    /** Columns of the register tile: three vectors. */
    static final int NR = 3 * L;
    /** Depth of a k-block: a KC × NR panel of B stays in L1/L2 while A panels stream past it. */
    static final int KC = 256;
    /** Rows of C per task: a KC × MC block of packed A stays in L2. */
    static final int MC = 128;

    private Gemm() {}

    /** A strided matrix view: element (i, j) is data[offset + i·rowStride + j·colStride]. */
    public record Matrix(float[] data, int offset, int rowStride, int colStride) {}

    /** C[m×n] (row-major, leading dim ldc) = or += A[m×k]·B[k×n], using the worker pool. */
    public static void multiply(int m, int n, int k, Matrix a, Matrix b, float[] c, int cOffset, int ldc, boolean accumulate) {
        run(m, n, k, a, b, c, cOffset, ldc, accumulate, true);
    }

    /** The same on the calling thread only (for callers that parallelise over many small products). */
    public static void multiplySerial(int m, int n, int k, Matrix a, Matrix b, float[] c, int cOffset, int ldc, boolean accumulate) {
        run(m, n, k, a, b, c, cOffset, ldc, accumulate, false);
    }

    private static void run(int m, int n, int k, Matrix a, Matrix b, float[] c, int cOffset, int ldc, boolean accumulate, boolean parallel) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            if (!accumulate) {
                for (int i = 0; i < m; i++) {
                    java.util.Arrays.fill(c, cOffset + i * ldc, cOffset + i * ldc + n, 0f);
                }
            }
            return;
        }
        int panels = (n + NR - 1) / NR;
        int kBlocks = (k + KC - 1) / KC;
        int threads = parallel ? Parallel.threads() : 1;
        // B is packed once for all row blocks; when there is only one row block, a row-major B is
        // read in place instead (packing would cost as much as the products), all but a partial last panel.
        boolean directB = b.colStride() == 1 && m <= MC;
        float[] packedB = new float[k * panels * NR];
        if (directB) {
            if (n % NR != 0) {
                forEach(parallel, kBlocks, kb -> packB(b, kb, panels - 1, k, n, panels, packedB));
            }
        } else {
            forEach(parallel, kBlocks * panels, task -> packB(b, task / panels, task % panels, k, n, panels, packedB));
        }

        int rowBlocks = (m + MC - 1) / MC;
        int colBlocks = Math.min(panels, Math.max(1, (4 * threads + rowBlocks - 1) / rowBlocks));
        int panelsPerColBlock = (panels + colBlocks - 1) / colBlocks;
        forEach(parallel, rowBlocks * colBlocks, task -> {
            int i0 = (task / colBlocks) * MC;
            int rows = Math.min(MC, m - i0);
            int p0 = (task % colBlocks) * panelsPerColBlock;
            int p1 = Math.min(panels, p0 + panelsPerColBlock);
            // Row-major A is read in place (MR row streams); other layouts, and a last partial
            // panel of rows, are packed into panels of MR rows, zero-padded.
            boolean direct = a.colStride() == 1;
            float[] packedA = new float[KC * (direct ? MR : (rows + MR - 1) / MR * MR)];
            float[] edge = new float[MR * NR];
            for (int kb = 0; kb < kBlocks; kb++) {
                int k0 = kb * KC, kc = Math.min(KC, k - k0);
                if (!direct) {
                    packA(a, i0, rows, k0, kc, packedA, 0);
                } else if (rows % MR != 0) {
                    packA(a, i0 + rows - rows % MR, rows % MR, k0, kc, packedA, 0);
                }
                boolean add = accumulate || kb > 0;
                for (int p = p0; p < p1; p++) {
                    int j0 = p * NR, cols = Math.min(NR, n - j0);
                    boolean bInPlace = directB && cols == NR;
                    float[] bData = bInPlace ? b.data() : packedB;
                    int bAt = bInPlace ? b.offset() + k0 * b.rowStride() + j0 : k0 * panels * NR + p * kc * NR;
                    int bStep = bInPlace ? b.rowStride() : NR;
                    for (int ir = 0; ir < rows; ir += MR) {
                        int tileRows = Math.min(MR, rows - ir);
                        int cAt = cOffset + (i0 + ir) * ldc + j0;
                        float[] aData;
                        int aAt, aRow, aStep;
                        if (direct && tileRows == MR) {
                            aData = a.data();
                            aAt = a.offset() + (i0 + ir) * a.rowStride() + k0;
                            aRow = a.rowStride();
                            aStep = 1;
                        } else {
                            aData = packedA;
                            aAt = direct ? 0 : ir * kc;
                            aRow = 1;
                            aStep = MR;
                        }
                        if (tileRows == MR && cols == NR) {
                            kernel(kc, aData, aAt, aRow, aStep, bData, bAt, bStep, c, cAt, ldc, add);
                        } else {
                            kernel(kc, aData, aAt, aRow, aStep, bData, bAt, bStep, edge, 0, NR, false);
                            storeEdge(edge, c, cAt, ldc, tileRows, cols, add);
                        }
                    }
                }
            }
        });
    }

    private static void forEach(boolean parallel, int tasks, java.util.function.IntConsumer body) {
        if (parallel) {
            Parallel.forEach(tasks, body);
        } else {
            for (int t = 0; t < tasks; t++) {
                body.accept(t);
            }
        }
    }

    /** Panel p of k-block kb: for each k in the block, NR consecutive columns of B (zero past n). */
    private static void packB(Matrix b, int kb, int p, int k, int n, int panels, float[] out) {
        int k0 = kb * KC, kc = Math.min(KC, k - k0);
        int j0 = p * NR, cols = Math.min(NR, n - j0);
        int at = k0 * panels * NR + p * kc * NR;
        float[] src = b.data();
        if (b.colStride() == 1) {
            for (int kk = 0; kk < kc; kk++) {
                System.arraycopy(src, b.offset() + (k0 + kk) * b.rowStride() + j0, out, at + kk * NR, cols);
            }
        } else {
            for (int j = 0; j < cols; j++) { // column by column: reads along B's contiguous direction
                int from = b.offset() + (j0 + j) * b.colStride() + k0 * b.rowStride();
                for (int kk = 0; kk < kc; kk++) {
                    out[at + kk * NR + j] = src[from + kk * b.rowStride()];
                }
            }
        }
    }

    /** Rows i0..i0+rows of A over k0..k0+kc, as panels of MR rows: for each k, MR values (zero past the last row). */
    private static void packA(Matrix a, int i0, int rows, int k0, int kc, float[] out, int outAt) {
        float[] src = a.data();
        for (int ir = 0; ir < rows; ir += MR) {
            int panel = outAt + ir * kc;
            int tileRows = Math.min(MR, rows - ir);
            for (int r = 0; r < MR; r++) {
                if (r >= tileRows) {
                    for (int kk = 0; kk < kc; kk++) {
                        out[panel + kk * MR + r] = 0f;
                    }
                    continue;
                }
                int from = a.offset() + (i0 + ir + r) * a.rowStride() + k0 * a.colStride();
                for (int kk = 0; kk < kc; kk++) {
                    out[panel + kk * MR + r] = src[from + kk * a.colStride()];
                }
            }
        }
    }

    /** Adds (or writes) the valid rows × cols corner of a full MR × NR tile into C. */
    private static void storeEdge(float[] tile, float[] c, int cAt, int ldc, int rows, int cols, boolean add) {
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < cols; j++) {
                c[cAt + r * ldc + j] = add ? c[cAt + r * ldc + j] + tile[r * NR + j] : tile[r * NR + j];
            }
        }
    }

    /**
     * The MR × NR register tile: C[0..MR, 0..NR) (+)= A · Bpanel over kc steps, where A's row r at
     * step p is a[ai + r·aRow + p·aStep] (a packed panel: aRow 1, aStep MR; row-major A: aRow lda, aStep 1)
     * and B's NR columns at step p start at b[bi + p·bStep] (packed: bStep NR; row-major B: ldb).
     */
    private static void kernel(int kc, float[] a, int ai, int aRow, int aStep, float[] b, int bi, int bStep,
                               float[] c, int ci, int ldc, boolean add) {
        if (!Simd.ENABLED) {
            scalarKernel(kc, a, ai, aRow, aStep, b, bi, bStep, c, ci, ldc, add);
            return;
        }
        int a1 = aRow, a2 = 2 * aRow, a3 = 3 * aRow;
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00;
        for (int p = 0; p < kc; p++, ai += aStep, bi += bStep) {
            FloatVector b0 = FloatVector.fromArray(S, b, bi);
            FloatVector b1 = FloatVector.fromArray(S, b, bi + L);
            FloatVector b2 = FloatVector.fromArray(S, b, bi + 2 * L);
            FloatVector a0 = FloatVector.broadcast(S, a[ai]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            c02 = a0.fma(b2, c02);
            FloatVector a1v = FloatVector.broadcast(S, a[ai + a1]);
            c10 = a1v.fma(b0, c10);
            c11 = a1v.fma(b1, c11);
            c12 = a1v.fma(b2, c12);
            FloatVector a2v = FloatVector.broadcast(S, a[ai + a2]);
            c20 = a2v.fma(b0, c20);
            c21 = a2v.fma(b1, c21);
            c22 = a2v.fma(b2, c22);
            FloatVector a3v = FloatVector.broadcast(S, a[ai + a3]);
            c30 = a3v.fma(b0, c30);
            c31 = a3v.fma(b1, c31);
            c32 = a3v.fma(b2, c32);
        }
        storeRow(c, ci, c00, c01, c02, add);
        storeRow(c, ci + ldc, c10, c11, c12, add);
        storeRow(c, ci + 2 * ldc, c20, c21, c22, add);
        storeRow(c, ci + 3 * ldc, c30, c31, c32, add);
    }

    private static void storeRow(float[] c, int at, FloatVector v0, FloatVector v1, FloatVector v2, boolean add) {
        if (add) {
            v0 = v0.add(FloatVector.fromArray(S, c, at));
            v1 = v1.add(FloatVector.fromArray(S, c, at + L));
            v2 = v2.add(FloatVector.fromArray(S, c, at + 2 * L));
        }
        v0.intoArray(c, at);
        v1.intoArray(c, at + L);
        v2.intoArray(c, at + 2 * L);
    }

    /** The same tile with scalar fma in the same order (for JVMs that do not compile the Vector API). */
    private static void scalarKernel(int kc, float[] a, int ai, int aRow, int aStep, float[] b, int bi, int bStep,
                                     float[] c, int ci, int ldc, boolean add) {
        float[] acc = new float[MR * NR];
        for (int p = 0; p < kc; p++, ai += aStep, bi += bStep) {
            for (int r = 0; r < MR; r++) {
                float av = a[ai + r * aRow];
                for (int j = 0; j < NR; j++) {
                    acc[r * NR + j] = Math.fma(av, b[bi + j], acc[r * NR + j]);
                }
            }
        }
        for (int r = 0; r < MR; r++) {
            for (int j = 0; j < NR; j++) {
                int at = ci + r * ldc + j;
                c[at] = add ? c[at] + acc[r * NR + j] : acc[r * NR + j];
            }
        }
    }
}
