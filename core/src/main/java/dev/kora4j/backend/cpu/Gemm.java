package dev.kora4j.backend.cpu;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntConsumer;
import jdk.incubator.vector.VectorSpecies;

/**
 * C = A·B (or C += A·B) in F32, GotoBLAS-style:
 *
 * <pre>
 *   for each k-block of kc:          B packed once into panels of nr columns (kc × nr each)
 *     for each task (a tile of C):   A's rows of the tile read in place (or packed into panels of MR rows)
 *       for each B panel, A panel:   a register tile keeps MR × (1..4 vectors) of C ({@link GemmKernels})
 * </pre>
 *
 * Operands are strided views (element (i, j) at offset + i·rowStride + j·colStride), so a
 * transposed operand costs no copy: A is read along whichever dimension is contiguous, B's packing
 * reads it in whichever order it lies (a row-major B is read in place when one row block uses it).
 * Outputs narrower than a vector (LoRA's rank 8) take dot products instead ({@link GemmThin}), and
 * outputs of a few rows over a long k (LoRA's gradients) one tall register tile ({@link GemmFewRows}).
 * Every element of C is one fma chain over its k terms in order however the tiles and k-blocks are
 * cut, so the result depends neither on the thread count nor on the blocking ({@link GemmParams}),
 * which is chosen per machine ({@link CpuTuning}).
 */
public final class Gemm {
    private static final VectorSpecies<Float> S = Simd.F32;
    private static final int L = S.length();
    /** Rows of the register tile. */
    static final int MR = 4;
    /** Columns of the widest register tile: four vectors (see {@link GemmParams#panelWidth}). */
    static final int NR = 4 * L;
    /** Floating-point operations of every product so far (2·m·n·k, plus 2·m·n·r for a rank-r epilogue). */
    private static final LongAdder FLOPS = new LongAdder();

    private Gemm() {}

    /** The floating-point operations of all products run so far in this process (`kora bench step`'s gflops). */
    public static long flops() {
        return FLOPS.sum();
    }

    /** A strided matrix view: element (i, j) is data[offset + i·rowStride + j·colStride]. */
    public record Matrix(float[] data, int offset, int rowStride, int colStride) {}

    /** C[m×n] (row-major, leading dim ldc) = or += A[m×k]·B[k×n], using the worker pool. */
    public static void multiply(int m, int n, int k, Matrix a, Matrix b, float[] c, int cOffset, int ldc, boolean accumulate) {
        run(CpuTuning.current(), m, n, k, a, b, c, cOffset, ldc, accumulate, true, null);
    }

    /** The same with a given blocking (the autotuner's candidates). */
    static void multiply(GemmParams params, int m, int n, int k, Matrix a, Matrix b, float[] c, int cOffset, int ldc, boolean accumulate) {
        run(params, m, n, k, a, b, c, cOffset, ldc, accumulate, true, null);
    }

    /** The same on the calling thread only (for callers that parallelise over many small products). */
    public static void multiplySerial(int m, int n, int k, Matrix a, Matrix b, float[] c, int cOffset, int ldc, boolean accumulate) {
        run(CpuTuning.current(), m, n, k, a, b, c, cOffset, ldc, accumulate, false, null);
    }

    /** The same with a given blocking. */
    static void multiplySerial(GemmParams params, int m, int n, int k, Matrix a, Matrix b, float[] c, int cOffset, int ldc,
                               boolean accumulate) {
        run(params, m, n, k, a, b, c, cOffset, ldc, accumulate, false, null);
    }

    /** C = A·B, then the epilogue as C leaves the last k-block (a linear layer's bias, LoRA, GELU, residual). */
    static void multiply(int m, int n, int k, Matrix a, Matrix b, float[] c, int cOffset, int ldc, GemmEpilogue epilogue) {
        run(CpuTuning.current(), m, n, k, a, b, c, cOffset, ldc, false, true, epilogue);
    }

    /** The same with a given blocking. */
    static void multiply(GemmParams params, int m, int n, int k, Matrix a, Matrix b, float[] c, int cOffset, int ldc,
                         GemmEpilogue epilogue) {
        run(params, m, n, k, a, b, c, cOffset, ldc, false, true, epilogue);
    }

    private static void run(GemmParams params, int m, int n, int k, Matrix a, Matrix b, float[] c, int cOffset, int ldc,
                            boolean accumulate, boolean parallel, GemmEpilogue epilogue) {
        if (GemmProfile.ENABLED && parallel) {
            long start = System.nanoTime();
            compute(params, m, n, k, a, b, c, cOffset, ldc, accumulate, true, epilogue);
            int rank = epilogue == null ? 0 : epilogue.rank;
            GemmProfile.record(GemmProfile.name(m, k, n, a, b, accumulate, epilogue), System.nanoTime() - start, 2L * m * n * (k + rank));
        } else {
            compute(params, m, n, k, a, b, c, cOffset, ldc, accumulate, parallel, epilogue);
        }
    }

    private static void compute(GemmParams params, int m, int n, int k, Matrix a, Matrix b, float[] c, int cOffset, int ldc,
                                boolean accumulate, boolean parallel, GemmEpilogue epilogue) {
        if (m == 0 || n == 0) {
            return;
        }
        FLOPS.add(2L * m * n * k);
        if (k == 0 || GemmThin.applies(n, k, a)) {
            if (k == 0 && !accumulate) {
                for (int i = 0; i < m; i++) {
                    Arrays.fill(c, cOffset + i * ldc, cOffset + i * ldc + n, 0f);
                }
            } else if (k > 0) {
                GemmThin.multiply(m, n, k, a, b, c, cOffset, ldc, accumulate, parallel);
            }
            if (epilogue != null) {
                finishSeparately(params, m, n, c, cOffset, ldc, parallel, epilogue);
            }
            return;
        }
        if (GemmFewRows.applies(m, n, k, b)) {
            GemmFewRows.multiply(m, n, k, a, b, c, cOffset, ldc, accumulate, parallel);
            if (epilogue != null) {
                finishSeparately(params, m, n, c, cOffset, ldc, parallel, epilogue);
            }
            return;
        }
        Blocks bl = Blocks.of(params, n, k, a);
        int mc = params.mc();
        int panels = bl.panels();
        int kBlocks = bl.kBlocks();
        int threads = parallel ? Parallel.threads() : 1;
        // B is packed once for all row blocks; when there is only one row block, a row-major B is
        // read in place instead (packing would cost as much as the products), all but partial panels.
        boolean directB = b.colStride() == 1 && m <= mc;
        int nr = bl.nr();
        boolean anyPacked = !directB || bl.cols(panels - 1) < nr;
        float[] packedB = Scratch.get().packedB(anyPacked ? k * panels * nr : 0);
        int rank = epilogue == null ? 0 : epilogue.rank;
        FLOPS.add(2L * m * n * rank);
        // an epilogue's low-rank v, packed like one more k-block of B (of depth rank)
        float[] packedV = Scratch.get().packedV(rank * panels * nr);
        forEach(parallel, kBlocks * panels, task -> {
            int kb = task / panels, p = task % panels;
            if (!directB || bl.cols(p) < nr) {
                packB(b, kb * bl.kc(), bl.depth(kb), bl.start(p), bl.cols(p), nr, packedB, bl.packedAt(kb, p));
            }
            if (kb == 0 && rank > 0) {
                packB(epilogue.v, 0, rank, bl.start(p), bl.cols(p), nr, packedV, p * rank * nr);
            }
        });

        int rowBlocks = (m + mc - 1) / mc;
        int colBlocks = Math.min(panels, Math.max(1, (4 * threads + rowBlocks - 1) / rowBlocks));
        int panelsPerColBlock = (panels + colBlocks - 1) / colBlocks;
        // A with unit stride along either dimension is read in place: row-major as MR row streams, stored
        // transposed as one stream of MR adjacent floats per k (no packing: it cost a third of dW = gᵀ·x)
        boolean directA = a.colStride() == 1 || a.rowStride() == 1;
        forEach(parallel, rowBlocks * colBlocks, task -> {
            int i0 = (task / colBlocks) * mc;
            int rows = Math.min(mc, m - i0);
            int p0 = (task % colBlocks) * panelsPerColBlock;
            int p1 = Math.min(panels, p0 + panelsPerColBlock);
            Scratch scratch = Scratch.get();
            // other layouts, and a last partial panel of rows, are packed into panels of MR rows
            int packedRows = !directA ? rows : rows % MR;
            int packedFrom = rows - packedRows;
            float[] packedA = scratch.packedA(bl.kc() * ((packedRows + MR - 1) / MR * MR));
            float[] packedU = scratch.packedU(rank * ((rows + MR - 1) / MR * MR));
            if (rank > 0) {
                packA(epilogue.u, i0, rows, 0, rank, packedU);
            }
            float[] tile = scratch.tile();
            for (int kb = 0; kb < kBlocks; kb++) {
                int k0 = kb * bl.kc(), kc = bl.depth(kb);
                if (packedRows > 0) {
                    packA(a, i0 + packedFrom, packedRows, k0, kc, packedA);
                }
                boolean add = accumulate || kb > 0;
                boolean last = kb == kBlocks - 1;
                for (int p = p0; p < p1; p++) {
                    int j0 = bl.start(p), cols = bl.cols(p);
                    boolean bInPlace = directB && cols == nr;
                    float[] bData = bInPlace ? b.data() : packedB;
                    int bAt = bInPlace ? b.offset() + k0 * b.rowStride() + j0 : bl.packedAt(kb, p);
                    int bStep = bInPlace ? b.rowStride() : nr;
                    for (int ir = 0; ir < rows; ir += MR) {
                        int tileRows = Math.min(MR, rows - ir);
                        boolean inPlace = ir < packedFrom;
                        float[] aData = inPlace ? a.data() : packedA;
                        int aAt = inPlace ? a.offset() + (i0 + ir) * a.rowStride() + k0 * a.colStride() : (ir - packedFrom) * kc;
                        int aRow = inPlace ? a.rowStride() : 1;
                        int aStep = inPlace ? a.colStride() : MR;
                        int cAt = cOffset + (i0 + ir) * ldc + j0;
                        tile(tileRows, cols, nr, kc, aData, aAt, aRow, aStep, bData, bAt, bStep, c, cAt, ldc, add, tile);
                        if (last && rank > 0) { // C += u·v: one more k-block, from the packed u and v
                            tile(tileRows, cols, nr, rank, packedU, ir * rank, 1, MR, packedV, p * rank * nr, nr, c, cAt, ldc, true, tile);
                        }
                    }
                }
                if (last && epilogue != null && p1 > p0) {
                    // the rest of the epilogue along the task's whole rows: per tile, a row was a few
                    // vectors long, and the loops' setup cost more than adding a bias and a residual
                    int j0 = bl.start(p0), width = bl.start(p1 - 1) + bl.cols(p1 - 1) - j0;
                    epilogue.finish(c, cOffset + i0 * ldc + j0, ldc, i0, j0, rows, width);
                }
            }
        });
    }

    /**
     * One register tile: C[rows × cols at cAt] = (or += when add) A·B over kc steps, by the narrowest
     * kernel that covers the columns (the scalar path: always the panel's width nr). An edge tile
     * works on the buffer tile, which holds C's corner first when it adds.
     */
    private static void tile(int rows, int cols, int nr, int kc, float[] a, int aAt, int aRow, int aStep,
                             float[] b, int bAt, int bStep, float[] c, int cAt, int ldc, boolean add, float[] buffer) {
        int nv = (Simd.ENABLED ? cols + L - 1 : nr) / L;
        if (rows == MR && cols == nv * L) {
            if (add) {
                GemmKernels.tileAdd(nv, kc, a, aAt, aRow, aStep, b, bAt, bStep, c, cAt, ldc);
            } else {
                GemmKernels.tile(nv, kc, a, aAt, aRow, aStep, b, bAt, bStep, c, cAt, ldc);
            }
        } else if (add) {
            GemmKernels.gather(c, cAt, ldc, rows, cols, buffer);
            GemmKernels.tileAdd(nv, kc, a, aAt, aRow, aStep, b, bAt, bStep, buffer, 0, NR);
            GemmKernels.flush(buffer, c, cAt, ldc, rows, cols);
        } else {
            GemmKernels.tile(nv, kc, a, aAt, aRow, aStep, b, bAt, bStep, buffer, 0, NR);
            GemmKernels.flush(buffer, c, cAt, ldc, rows, cols);
        }
    }

    /** The epilogue after a product that took another path (thin outputs, k = 0): in passes of its own. */
    private static void finishSeparately(GemmParams params, int m, int n, float[] c, int cOffset, int ldc, boolean parallel,
                                         GemmEpilogue epilogue) {
        if (epilogue.hasLowRank()) { // part of the product being timed, not a product of its own
            compute(params, m, n, epilogue.rank, epilogue.u, epilogue.v, c, cOffset, ldc, true, parallel, null);
        }
        int mc = params.mc();
        forEach(parallel, (m + mc - 1) / mc, task -> {
            int i0 = task * mc;
            epilogue.finish(c, cOffset + i0 * ldc, ldc, i0, 0, Math.min(mc, m - i0), n);
        });
    }

    /** B's columns in panels of nr (the last one may be narrower), k in blocks of kc; packed, panel p of k-block kb is depth × nr floats. */
    private record Blocks(int n, int k, int nr, int panels, int kc, int kBlocks) {
        static Blocks of(GemmParams params, int n, int k, Matrix a) {
            int kc = params.kcFor(k, a);
            int nr = params.panelWidth(n);
            return new Blocks(n, k, nr, (n + nr - 1) / nr, kc, (k + kc - 1) / kc);
        }

        int start(int p) {
            return p * nr;
        }

        int cols(int p) {
            return Math.min(nr, n - p * nr);
        }

        /** The depth of k-block kb (the last may be shorter). */
        int depth(int kb) {
            return Math.min(kc, k - kb * kc);
        }

        int packedAt(int kb, int p) {
            return kb * kc * panels * nr + p * depth(kb) * nr;
        }
    }

    static void forEach(boolean parallel, int tasks, IntConsumer body) {
        if (parallel) {
            Parallel.forEach(tasks, body);
        } else {
            for (int t = 0; t < tasks; t++) {
                body.accept(t);
            }
        }
    }

    /** Columns j0..j0+cols of B's rows k0..k0+kc at out[at..]: for each k, nr floats (zero past cols). */
    private static void packB(Matrix b, int k0, int kc, int j0, int cols, int nr, float[] out, int at) {
        float[] src = b.data();
        int rs = b.rowStride(), cs = b.colStride();
        if (cs == 1) {
            for (int kk = 0; kk < kc; kk++) {
                System.arraycopy(src, b.offset() + (k0 + kk) * rs + j0, out, at + kk * nr, cols);
            }
        } else {
            // eight columns at a time: eight streams along a transposed B's contiguous direction, and
            // each k's eight values written together (column by column, every write was a scattered
            // store to its own cache line: 4.5% of a vit_tiny inference step)
            int j = 0;
            for (; j + 8 <= cols; j += 8) {
                int f = b.offset() + (j0 + j) * cs + k0 * rs;
                for (int kk = 0, o = at + j, from = f; kk < kc; kk++, o += nr, from += rs) {
                    out[o] = src[from];
                    out[o + 1] = src[from + cs];
                    out[o + 2] = src[from + 2 * cs];
                    out[o + 3] = src[from + 3 * cs];
                    out[o + 4] = src[from + 4 * cs];
                    out[o + 5] = src[from + 5 * cs];
                    out[o + 6] = src[from + 6 * cs];
                    out[o + 7] = src[from + 7 * cs];
                }
            }
            for (; j < cols; j++) {
                int from = b.offset() + (j0 + j) * cs + k0 * rs;
                for (int kk = 0; kk < kc; kk++) {
                    out[at + kk * nr + j] = src[from + kk * rs];
                }
            }
        }
        if (cols < nr) {
            for (int kk = 0; kk < kc; kk++) {
                Arrays.fill(out, at + kk * nr + cols, at + (kk + 1) * nr, 0f);
            }
        }
    }

    /** Rows i0..i0+rows of A over k0..k0+kc, as panels of MR rows: for each k, MR values (zero past the last row). */
    private static void packA(Matrix a, int i0, int rows, int k0, int kc, float[] out) {
        float[] src = a.data();
        int rs = a.rowStride(), cs = a.colStride();
        for (int ir = 0; ir < rows; ir += MR) {
            for (int r = 0; r < MR; r++) {
                int from = a.offset() + (i0 + ir + r) * rs + k0 * cs, to = ir * kc + r;
                for (int kk = 0; kk < kc; kk++) {
                    out[to + kk * MR] = ir + r < rows ? src[from + kk * cs] : 0f;
                }
            }
        }
    }

    /**
     * Per-thread buffers, kept between calls: a training step runs thousands of products, and a fresh
     * packing buffer per call was most of the allocation. A call's packed B lives in the caller's
     * buffer and is read by the pool's tasks; each task packs A into its own thread's buffer. Buffers
     * past {@link #KEEP} floats are used once and not kept. Other kernels borrow the thread's
     * scratch too (attention's score tile, layer norm's rows) rather than allocate per task.
     */
    static final class Scratch {
        private static final int KEEP = 1 << 24;
        private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);
        private float[] packedB = new float[0];
        private float[] packedA = new float[0];
        private float[] packedV = new float[0];
        private float[] packedU = new float[0];
        private final float[] tile = new float[MR * NR];
        private float[] scores = new float[0];
        private float[] row = new float[0];

        static Scratch get() {
            return LOCAL.get();
        }

        float[] packedB(int size) {
            if (packedB.length >= size) {
                return packedB;
            }
            float[] fresh = new float[size];
            if (size <= KEEP) {
                packedB = fresh;
            }
            return fresh;
        }

        float[] packedA(int size) {
            return packedA = atLeast(packedA, size);
        }

        /** A low-rank update's v, packed like B (a call's caller thread; read by its tasks). */
        float[] packedV(int size) {
            return packedV = atLeast(packedV, size);
        }

        /** A task's rows of a low-rank update's u, packed like A. */
        float[] packedU(int size) {
            return packedU = atLeast(packedU, size);
        }

        /** Room for one attention head's N × N score gradients (contents undefined). */
        float[] scores(int size) {
            return scores = atLeast(scores, size);
        }

        /** Room for one row of a row-wise kernel (layer norm's x̂, KoRA's per-chunk h and e; contents undefined). */
        float[] row(int size) {
            return row = atLeast(row, size);
        }

        /** a, or a larger array when a is shorter than size (contents undefined). */
        private static float[] atLeast(float[] a, int size) {
            return a.length >= size ? a : new float[size];
        }

        /** An MR × NR tile: a register tile's way into C when it adds or masks, the folds of a thin block. */
        float[] tile() {
            return tile;
        }
    }
}
