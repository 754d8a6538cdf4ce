package dev.kora4j.bench;

import dev.kora4j.backend.cpu.Parallel;
import dev.kora4j.ops.Attention;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
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

/** Fused self-attention of one ViT block ("BxNxDxH"), forward and forward+backward, against the unfused ops. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC"})
public class AttentionBenchmark {
    @Param({"64x65x192x3", "8x197x192x3", "8x197x384x6"})
    public String shape;

    @Param({"2"})
    public int threads;

    private Tensor qkv, grad;
    private int heads;
    private double scale;

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        int b = Integer.parseInt(p[0]), n = Integer.parseInt(p[1]), d = Integer.parseInt(p[2]);
        heads = Integer.parseInt(p[3]);
        scale = 1 / Math.sqrt((double) d / heads);
        Parallel.setThreads(threads);
        Rng rng = new Rng(5);
        qkv = Tensor.randn(rng, b, n, 3 * d).requiresGrad(true);
        grad = Tensor.randn(rng, b, n, d);
    }

    @Benchmark
    public Tensor fusedForward() {
        return Attention.selfAttention(qkv.detach(), heads, scale);
    }

    @Benchmark
    public Tensor fusedForwardBackward() {
        qkv.zeroGrad();
        Attention.selfAttention(qkv, heads, scale).backward(grad);
        return qkv.grad();
    }

    @Benchmark
    public Tensor unfusedForwardBackward() {
        qkv.zeroGrad();
        dev.kora4j.nn.Attention.unfused(qkv, heads, scale).backward(grad);
        return qkv.grad();
    }
}
