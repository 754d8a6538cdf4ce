package dev.kora4j.bench;

import dev.kora4j.backend.cpu.Parallel;
import dev.kora4j.ops.Pointwise;
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

/** Elementwise kernels of the cpu backend on a ViT-sized activation (tokens × hidden). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC"})
public class ElementwiseBenchmark {
    @Param({"12608x768"})
    public String shape;

    @Param({"2"})
    public int threads;

    private Tensor x, y, bias;

    @Setup
    public void setup() {
        String[] parts = shape.split("x");
        int rows = Integer.parseInt(parts[0]), cols = Integer.parseInt(parts[1]);
        Parallel.setThreads(threads);
        Rng rng = new Rng(3);
        x = Tensor.randn(rng, rows, cols);
        y = Tensor.randn(rng, rows, cols);
        bias = Tensor.randn(rng, cols);
    }

    @Benchmark
    public Tensor add() {
        return x.add(y);
    }

    @Benchmark
    public Tensor addBroadcastBias() {
        return x.add(bias);
    }

    @Benchmark
    public Tensor gelu() {
        return Pointwise.gelu(x);
    }

    @Benchmark
    public Tensor exp() {
        return x.exp();
    }

    @Benchmark
    public Tensor softmaxLastDim() {
        return x.softmax(-1);
    }

    @Benchmark
    public Tensor sumOverRows() {
        return x.sum(false, 0);
    }
}
