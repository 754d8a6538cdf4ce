package dev.kora4j.bench;

import dev.kora4j.backend.cpu.Parallel;
import dev.kora4j.ops.LayerNorm;
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

/** Layer norm over ViT activations ("ROWSxD"), forward and forward+backward with trainable weight and bias. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC"})
public class LayerNormBenchmark {
    @Param({"4160x192", "1576x384", "12608x768"})
    public String shape;

    @Param({"2"})
    public int threads;

    private Tensor x, gamma, beta, grad;

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        int rows = Integer.parseInt(p[0]), d = Integer.parseInt(p[1]);
        Parallel.setThreads(threads);
        Rng rng = new Rng(6);
        x = Tensor.randn(rng, rows, d).requiresGrad(true);
        gamma = Tensor.randn(rng, d).requiresGrad(true);
        beta = Tensor.randn(rng, d).requiresGrad(true);
        grad = Tensor.randn(rng, rows, d);
    }

    @Benchmark
    public Tensor forward() {
        return LayerNorm.layerNorm(x.detach(), gamma.detach(), beta.detach(), 1e-6);
    }

    @Benchmark
    public Tensor forwardBackward() {
        x.zeroGrad();
        gamma.zeroGrad();
        beta.zeroGrad();
        LayerNorm.layerNorm(x, gamma, beta, 1e-6).backward(grad);
        return x.grad();
    }
}
