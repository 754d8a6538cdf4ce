package dev.kora4j.bench;

import dev.kora4j.backend.cpu.Gemm;
import dev.kora4j.backend.cpu.Parallel;
import dev.kora4j.tensor.Rng;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * F32 GEMM on ViT shapes ("MxKxN"): plain, and with B transposed as in x·Wᵀ (the packing absorbs it).
 * GFLOP/s = 2·M·K·N / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBenchmark {
    @Param({"4096x192x576", "4096x768x192", "4096x768x2304", "12544x768x2304", "12544x3072x768"})
    public String shape;

    @Param({"2"})
    public int threads;

    private int m, k, n;
    private float[] a, b, bt, c;

    @Setup
    public void setup() {
        String[] parts = shape.split("x");
        m = Integer.parseInt(parts[0]);
        k = Integer.parseInt(parts[1]);
        n = Integer.parseInt(parts[2]);
        Parallel.setThreads(threads);
        Rng rng = new Rng(7);
        a = fill(rng, m * k);
        b = fill(rng, k * n);
        bt = fill(rng, n * k);
        c = new float[m * n];
    }

    private static float[] fill(Rng rng, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) rng.nextDouble() - 0.5f;
        }
        return x;
    }

    @Benchmark
    public float[] gemm() {
        Gemm.multiply(m, n, k, new Gemm.Matrix(a, 0, k, 1), new Gemm.Matrix(b, 0, n, 1), c, 0, n, false);
        return c;
    }

    /** C = A·Wᵀ with W stored [N, K], as a linear layer's forward reads it. */
    @Benchmark
    public float[] gemmTransposedB() {
        Gemm.multiply(m, n, k, new Gemm.Matrix(a, 0, k, 1), new Gemm.Matrix(bt, 0, 1, k), c, 0, n, false);
        return c;
    }
}
