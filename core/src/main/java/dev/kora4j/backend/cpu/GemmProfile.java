package dev.kora4j.backend.cpu;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Time per GEMM product for `-Dkora.profile=true` runs (off otherwise, at no cost but a branch):
 * which of a step's products its time goes to, and at what rate, beside the op table of
 * {@code dev.kora4j.autograd.Profile}. Only products run on the worker pool are timed (the caller's
 * wall clock); the per-head products inside attention's tasks run on several threads at once and
 * stay in attention's time. Products are named as {@link GemmCase} names them (M×K×N and the layouts
 * of A and B, so that JMH's GemmBenchmark can time one alone), with the epilogue they ran.
 */
public final class GemmProfile {
    public static final boolean ENABLED = Boolean.getBoolean("kora.profile");
    private static final Map<String, long[]> TOTALS = new HashMap<>(); // product → {ns, calls, flops}

    private GemmProfile() {}

    static synchronized void record(String product, long nanos, long flops) {
        long[] t = TOTALS.computeIfAbsent(product, k -> new long[3]);
        t[0] += nanos;
        t[1]++;
        t[2] += flops;
    }

    /** "1576x192x768xnt, rank 8, bias, gelu": the product as GemmCase names it, then its epilogue. */
    static String name(int m, int k, int n, Gemm.Matrix a, Gemm.Matrix b, boolean accumulate, GemmEpilogue epilogue) {
        String layout = (a.colStride() == 1 ? "n" : "t") + (b.colStride() == 1 ? "n" : "t") + (accumulate ? "+" : "");
        String product = m + "x" + k + "x" + n + "x" + layout;
        return epilogue == null ? product : product + epilogue.describe();
    }

    public static synchronized void reset() {
        TOTALS.clear();
    }

    /** A table of ms per product (divided by {@code steps}), the largest first, and the products' total. */
    public static synchronized String table(int steps) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-44s %10s %8s %9s%n", "product (MxKxNxlayout)", "ms",
                "calls", "GFLOP/s"));
        long nanos = 0;
        for (var e : TOTALS.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0])).toList()) {
            long[] t = e.getValue();
            nanos += t[0];
            sb.append(String.format(Locale.ROOT, "%-44s %10.2f %8d %9.1f%n", e.getKey(), t[0] / 1e6 / steps, t[1] / steps,
                    t[0] == 0 ? 0.0 : (double) t[2] / t[0]));
        }
        sb.append(String.format(Locale.ROOT, "%-44s %10.2f%n", "all products on the pool", nanos / 1e6 / steps));
        return sb.toString();
    }
}
