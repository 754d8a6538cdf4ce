package dev.kora4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kora4j.backend.cpu.Gemm;
import dev.kora4j.backend.cpu.Parallel;
import dev.kora4j.tensor.Rng;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `kora bench ...`: one JSON object per measured case on stdout. */
@Command(name = "bench", description = "Benchmarks (one JSON line per case on stdout).",
        subcommands = {BenchCommand.GemmBench.class, StepBench.class, KoraBench.class, TuneBench.class})
public final class BenchCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void run() {
        throw new UserError("bench needs a case: gemm, step, kora or tune (see kora bench --help)");
    }

    static void printJson(Map<String, Object> fields) {
        try {
            System.out.println(JSON.writeValueAsString(fields));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }

    @Command(name = "gemm", description = "C = A·B in F32 on the cpu backend: median time of the timed repeats.")
    static final class GemmBench implements Runnable {
        @Option(names = "--m", required = true, description = "Rows of A and C.") int m;
        @Option(names = "--k", required = true, description = "Columns of A, rows of B.") int k;
        @Option(names = "--n", required = true, description = "Columns of B and C.") int n;
        @Option(names = "--threads", description = "Worker threads (default: all cores).") Integer threads;
        @Option(names = "--repeats", defaultValue = "10", description = "Timed repeats (default ${DEFAULT-VALUE}).") int repeats;
        @Option(names = "--warmup", defaultValue = "3", description = "Untimed runs first (default ${DEFAULT-VALUE}).") int warmup;

        @Override
        public void run() {
            if (m < 1 || k < 1 || n < 1) {
                throw new UserError("--m, --k and --n must be positive, got " + m + ", " + k + ", " + n);
            }
            if (repeats < 1 || warmup < 0) {
                throw new UserError("--repeats must be at least 1 and --warmup at least 0");
            }
            if ((long) m * k > Integer.MAX_VALUE || (long) k * n > Integer.MAX_VALUE || (long) m * n > Integer.MAX_VALUE) {
                throw new UserError("--m, --k, --n: a matrix of more than 2^31-1 elements is not supported");
            }
            Main.applyThreads(threads);
            Rng rng = new Rng(1);
            float[] a = random(rng, m * k), b = random(rng, k * n), c = new float[m * n];
            Gemm.Matrix am = new Gemm.Matrix(a, 0, k, 1), bm = new Gemm.Matrix(b, 0, n, 1);
            double[] ms = new double[repeats];
            for (int i = 0; i < warmup + repeats; i++) {
                long t0 = System.nanoTime();
                Gemm.multiply(m, n, k, am, bm, c, 0, n, false);
                long t1 = System.nanoTime();
                if (i >= warmup) {
                    ms[i - warmup] = (t1 - t0) / 1e6;
                }
            }
            double median = median(ms);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("bench", "gemm");
            out.put("m", m);
            out.put("k", k);
            out.put("n", n);
            out.put("threads", Parallel.threads());
            out.put("gflops", Math.round(2.0 * m * n * k / (median * 1e6) * 10) / 10.0);
            out.put("ms", Math.round(median * 1000) / 1000.0);
            printJson(out);
        }

        private static float[] random(Rng rng, int size) {
            float[] x = new float[size];
            for (int i = 0; i < size; i++) {
                x[i] = (float) (rng.nextDouble() * 2 - 1);
            }
            return x;
        }
    }
}
