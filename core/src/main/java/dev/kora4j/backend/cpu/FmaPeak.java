package dev.kora4j.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * This machine's F32 FMA peak as the Vector API reaches it: every worker thread runs a loop of
 * twelve independent vector FMA chains (enough to hide the FMA latency of any current core) and
 * nothing else, each in the form the GEMM's tiles use: the accumulator is the addend (with it as a
 * factor, and a long loop counter, AVX2 measured 164 instead of 224 GFLOP/s on the Zen 4). What a GEMM or a training step reaches is quoted as a fraction of it.
 */
public final class FmaPeak {
    private static final VectorSpecies<Float> S = Simd.F32;
    private static final int CHAINS = 12;

    private FmaPeak() {}

    /** GFLOP/s on all worker threads: the best of a few runs of about 50 ms each, after a warm-up. */
    public static double measureGflops() {
        if (!Simd.ENABLED) {
            return Double.NaN;
        }
        int threads = Parallel.threads();
        int iterations = 1 << 24;
        float[] sink = new float[threads * S.length()];
        chainsOnEveryThread(threads, 1 << 16, sink);
        double best = 0;
        for (int run = 0; run < 5; run++) {
            long t0 = System.nanoTime();
            chainsOnEveryThread(threads, iterations, sink);
            double seconds = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, (double) threads * iterations * CHAINS * 2 * S.length() / seconds / 1e9);
        }
        return best;
    }

    private static void chainsOnEveryThread(int threads, int iterations, float[] sink) {
        Parallel.forEach(threads, t -> chains(iterations).intoArray(sink, t * S.length()));
    }

    private static FloatVector chains(int iterations) {
        FloatVector x = FloatVector.broadcast(S, 0.999999f), y = FloatVector.broadcast(S, 1e-7f);
        FloatVector c0 = y, c1 = y, c2 = y, c3 = y, c4 = y, c5 = y, c6 = y, c7 = y, c8 = y, c9 = y, c10 = y, c11 = y;
        for (int i = 0; i < iterations; i++) {
            c0 = x.fma(y, c0);
            c1 = x.fma(y, c1);
            c2 = x.fma(y, c2);
            c3 = x.fma(y, c3);
            c4 = x.fma(y, c4);
            c5 = x.fma(y, c5);
            c6 = x.fma(y, c6);
            c7 = x.fma(y, c7);
            c8 = x.fma(y, c8);
            c9 = x.fma(y, c9);
            c10 = x.fma(y, c10);
            c11 = x.fma(y, c11);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11);
    }
}
