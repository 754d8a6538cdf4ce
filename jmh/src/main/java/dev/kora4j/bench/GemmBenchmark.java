package dev.kora4j.bench;

import dev.kora4j.backend.cpu.CpuTuning;
import dev.kora4j.backend.cpu.GemmCase;
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
 * F32 GEMM on the shapes of a ViT training step, each case named as {@link GemmCase} reads it
 * ("MxKxNxlayout[xbatch]"). scripts/gemm_torch.py times torch.matmul on the same cases.
 * GFLOP/s = 2·M·K·N·batch / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC"})
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

    private GemmCase product;

    @Setup
    public void setup() {
        Parallel.setThreads(threads);
        CpuTuning.use(switch (blocking) {
            case "tuned" -> CpuTuning.current();
            case "defaults" -> GemmParams.DEFAULTS;
            default -> throw new IllegalArgumentException("blocking must be tuned or defaults, got " + blocking);
        });
        product = new GemmCase(shape, new Rng(7));
    }

    @Benchmark
    public float[] gemm() {
        return product.run();
    }
}
