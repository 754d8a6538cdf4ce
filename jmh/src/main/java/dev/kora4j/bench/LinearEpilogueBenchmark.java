package dev.kora4j.bench;

import dev.kora4j.backend.Backend;
import dev.kora4j.backend.Backends;
import dev.kora4j.backend.BinaryOp;
import dev.kora4j.backend.LinearEpilogue;
import dev.kora4j.backend.UnaryOp;
import dev.kora4j.backend.cpu.Parallel;
import dev.kora4j.tensor.Device;
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

/**
 * A ViT linear with LoRA (r = 8) and what follows it, on the cpu backend: y = x·Wᵀ + b + u·Bᵀ, then
 * GELU (fc1) or + residual (proj, fc2). "fused" is Backend.linear with the epilogue applied to each
 * GEMM tile; "separate" is the product followed by a pass of its own for each part, as before the
 * epilogue existed. A case is "tokens x in x out x gelu|residual".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC"})
public class LinearEpilogueBenchmark {
    @Param({"1576x192x768xgelu", "1576x768x192xresidual", "4160x192x768xgelu", "4160x768x192xresidual"})
    public String shape;

    @Param({"2"})
    public int threads;

    private final Backend cpu = Backends.of(Device.CPU);
    private Tensor x, wT, bias, u, bT, residual, pre, out;
    private boolean gelu;

    @Setup
    public void setup() {
        String[] parts = shape.split("x");
        int tokens = Integer.parseInt(parts[0]), in = Integer.parseInt(parts[1]), outFeatures = Integer.parseInt(parts[2]);
        gelu = parts[3].equals("gelu");
        Parallel.setThreads(threads);
        Rng rng = new Rng(11);
        x = Tensor.randn(rng, tokens, in);
        wT = Tensor.randn(rng, outFeatures, in).transpose(0, 1);
        bias = Tensor.randn(rng, outFeatures);
        u = Tensor.randn(rng, tokens, 8);
        bT = Tensor.randn(rng, outFeatures, 8).transpose(0, 1);
        residual = Tensor.randn(rng, tokens, outFeatures);
        pre = Tensor.zeros(tokens, outFeatures);
        out = Tensor.zeros(tokens, outFeatures);
    }

    @Benchmark
    public Tensor fused() {
        LinearEpilogue e = LinearEpilogue.bias(bias).withLowRank(u, bT);
        cpu.linear(x, wT, out, gelu ? e.withGelu(pre) : e.withResidual(residual));
        return out;
    }

    @Benchmark
    public Tensor separate() {
        Tensor y = gelu ? pre : out;
        cpu.matmul(x, wT, y, false);
        cpu.zip(BinaryOp.ADD, y, bias.expand(y.shape()), y);
        cpu.matmul(u, bT, y, true);
        if (gelu) {
            cpu.map(UnaryOp.GELU, 0, pre, out);
        } else {
            cpu.zip(BinaryOp.ADD, out, residual, out);
        }
        return out;
    }
}
