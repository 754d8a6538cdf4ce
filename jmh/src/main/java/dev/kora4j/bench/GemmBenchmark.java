package dev.kora4j.bench;

import dev.kora4j.backend.cpu.CpuTuning;
import dev.kora4j.backend.cpu.Gemm;
import dev.kora4j.backend.cpu.GemmParams;
import dev.kora4j.backend.cpu.Parallel;
import dev.kora4j.tensor.Rng;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * F32 GEMM on the shapes of a ViT training step. A case is "MxKxNxlayout[xbatch]" ('x', since JMH's
 * -p splits values at commas): layout is two letters, n (row-major) or t (stored transposed), for
 * A [M,K] and B [K,N], plus "+" when C is accumulated into; a batch runs that many independent
 * products, one serial GEMM each on the pool, as attention does per (image, head).
 * scripts/gemm_torch.py times torch.matmul on the same cases.
 * GFLOP/s = 2·M·K·N·batch / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBenchmark {
    @Param({
        // the shapes, B row-major (dx = g·W) and transposed (x·Wᵀ)
        "4096x192x576xnn", "4096x192x576xnt", "4096x768x192xnn", "4096x768x192xnt",
        "12544x768x2304xnn", "12544x768x2304xnt", "12544x3072x768xnn", "12544x3072x768xnt",
        // vit_tiny 32/4, batch 64 (4160 tokens): linear forward, dx, dW (full fine-tune)
        "4160x192x576xnt", "4160x192x192xnt", "4160x192x768xnt", "4160x768x192xnt",
        "4160x576x192xnn", "4160x768x192xnn", "4160x192x768xnn", "576x4160x192xtn",
        // attention per (image, head): 65 tokens (64 images × 3 heads), 197 tokens (16 × 3): q·kᵀ, P·v, dSᵀ·q
        "65x64x65xntx192", "65x65x64xnnx192", "65x65x64xtnx192",
        "197x64x197xntx48", "197x197x64xnnx48", "197x197x64xtnx48",
        // LoRA r = 8 and KoRA 3r = 24: x·Aᵀ, u = x·Âᵀ, t = g·B, dx += t·A, y += u·Bᵀ, dA = tᵀ·x, dBᵀ = uᵀ·g
        "4160x192x8xnt", "4160x768x8xnt", "4160x192x24xnt", "4160x576x8xnn", "4160x192x8xnn",
        "4160x8x192xnn+", "4160x8x576xnt+", "8x4160x192xtn", "8x4160x576xtn", "24x4160x192xtn"})
    public String shape;

    @Param({"2"})
    public int threads;

    /**
     * "tuned": the blocking the autotuner chose for this machine (kora bench tune); "defaults": the
     * built-in one. Both in one run (-p blocking=tuned,defaults) show what the tuning is worth per shape.
     */
    @Param({"tuned"})
    public String blocking;

    private int m, k, n, batch;
    private boolean transA, transB, accumulate;
    private float[] a, b, c;

    @Setup
    public void setup() {
        String[] parts = shape.split("x");
        m = Integer.parseInt(parts[0]);
        k = Integer.parseInt(parts[1]);
        n = Integer.parseInt(parts[2]);
        transA = parts[3].charAt(0) == 't';
        transB = parts[3].charAt(1) == 't';
        accumulate = parts[3].endsWith("+");
        batch = parts.length > 4 ? Integer.parseInt(parts[4]) : 1;
        Parallel.setThreads(threads);
        CpuTuning.use(switch (blocking) {
            case "tuned" -> CpuTuning.current();
            case "defaults" -> GemmParams.DEFAULTS;
            default -> throw new IllegalArgumentException("blocking must be tuned or defaults, got " + blocking);
        });
        Rng rng = new Rng(7);
        a = fill(rng, batch * m * k);
        b = fill(rng, batch * k * n);
        c = new float[batch * m * n];
    }

    private static float[] fill(Rng rng, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) rng.nextDouble() - 0.5f;
        }
        return x;
    }

    private Gemm.Matrix aAt(int i) {
        return transA ? new Gemm.Matrix(a, i * m * k, 1, m) : new Gemm.Matrix(a, i * m * k, k, 1);
    }

    private Gemm.Matrix bAt(int i) {
        return transB ? new Gemm.Matrix(b, i * k * n, 1, k) : new Gemm.Matrix(b, i * k * n, n, 1);
    }

    @Benchmark
    public float[] gemm() {
        if (batch == 1) {
            Gemm.multiply(m, n, k, aAt(0), bAt(0), c, 0, n, accumulate);
        } else {
            Parallel.forEach(batch, i -> Gemm.multiplySerial(m, n, k, aAt(i), bAt(i), c, i * m * n, n, accumulate));
        }
        return c;
    }
}
