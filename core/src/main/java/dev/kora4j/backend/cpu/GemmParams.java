package dev.kora4j.backend.cpu;

/**
 * The blocking of {@link Gemm}, which the autotuner ({@link GemmTuner}) chooses per machine. None of
 * it changes a result's bits: each element of C is one fma chain over k in order, whatever the
 * k-blocks, row blocks or panel widths (see {@link GemmKernels}).
 *
 * @param kc                     depth of a k-block: a kc × panel slice of B should stay in L1 while A's rows stream past it
 * @param oneBlockUpTo           a k up to this is one block (C is loaded and stored once), where A's rows lie along k
 * @param oneBlockTransposedUpTo the same where A is stored transposed (read down its columns, a cache line
 *                               per k step), which can want shorter blocks: on a Zen 4 under AVX2 one block
 *                               of k = 2048 made 768×2048×192 with a transposed A slower (92 against 106–117
 *                               GFLOP/s) and the same product with a row-major A faster (150 against 100)
 * @param mc                     rows of C per task: an mc × kc block of A should stay in L2
 * @param panelVectors           columns of a B panel in vectors (3 or 4), or 0: four where n is a multiple of
 *                               four vectors but not of three (a ViT head's 64 columns), else three
 */
public record GemmParams(int kc, int oneBlockUpTo, int oneBlockTransposedUpTo, int mc, int panelVectors) {
    /**
     * The blocking tuned by hand on an Intel Cascade Lake (two AVX-512 FMA units per core); always
     * among the autotuner's candidates, so it never chooses worse than these.
     */
    public static final GemmParams DEFAULTS = new GemmParams(128, 256, 128, 0);

    public GemmParams {
        if (kc < 1 || oneBlockUpTo < kc || oneBlockTransposedUpTo < kc || mc < Gemm.MR || mc % Gemm.MR != 0
                || !(panelVectors == 0 || panelVectors == 3 || panelVectors == 4)) {
            throw new IllegalArgumentException("invalid GEMM blocking: kc " + kc + ", one block up to " + oneBlockUpTo
                    + " (transposed A: " + oneBlockTransposedUpTo + ", both at least kc), mc " + mc + " (a positive multiple of "
                    + Gemm.MR + "), panel vectors " + panelVectors + " (0, 3 or 4)");
        }
    }

    /** One one-block limit for both layouts of A. */
    public GemmParams(int kc, int oneBlockUpTo, int mc, int panelVectors) {
        this(kc, oneBlockUpTo, oneBlockUpTo, mc, panelVectors);
    }

    /** The depth of k's blocks for an A stored transposed or not. */
    int kcFor(int k, boolean aTransposed) {
        return k <= (aTransposed ? oneBlockTransposedUpTo : oneBlockUpTo) ? k : kc;
    }

    /** The same for A as it lies: transposed when it is read down its columns (unit row stride only). */
    int kcFor(int k, Gemm.Matrix a) {
        return kcFor(k, a.colStride() != 1 && a.rowStride() == 1);
    }

    /** These parameters with another one-block limit for a row-major A. */
    GemmParams withOneBlockUpTo(int limit) {
        return new GemmParams(kc, limit, oneBlockTransposedUpTo, mc, panelVectors);
    }

    /** These parameters with another one-block limit for a transposed A. */
    GemmParams withOneBlockTransposedUpTo(int limit) {
        return new GemmParams(kc, oneBlockUpTo, limit, mc, panelVectors);
    }

    /** These parameters with another k-block depth, the one-block limits raised to it where below. */
    GemmParams withKc(int depth) {
        return new GemmParams(depth, Math.max(depth, oneBlockUpTo), Math.max(depth, oneBlockTransposedUpTo), mc, panelVectors);
    }

    GemmParams withMc(int rows) {
        return new GemmParams(kc, oneBlockUpTo, oneBlockTransposedUpTo, rows, panelVectors);
    }

    GemmParams withPanelVectors(int vectors) {
        return new GemmParams(kc, oneBlockUpTo, oneBlockTransposedUpTo, mc, vectors);
    }

    /** Columns per panel of B for n columns of C. */
    int panelWidth(int n) {
        int lanes = Simd.LANES;
        if (panelVectors != 0) {
            return panelVectors * lanes;
        }
        boolean four = lanes >= 16 && n % (4 * lanes) == 0 && n % (3 * lanes) != 0;
        return (four ? 4 : 3) * lanes;
    }

    /** The form `kora bench tune` prints and the cache stores: "kc=128 one-block<=256 transposed<=256 mc=128 panel=auto". */
    @Override
    public String toString() {
        return "kc=" + kc + " one-block<=" + oneBlockUpTo + " transposed<=" + oneBlockTransposedUpTo + " mc=" + mc
                + " panel=" + (panelVectors == 0 ? "auto" : panelVectors + "v");
    }
}
