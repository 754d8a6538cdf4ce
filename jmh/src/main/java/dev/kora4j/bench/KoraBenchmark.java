package dev.kora4j.bench;

import dev.kora4j.backend.cpu.Parallel;
import dev.kora4j.peft.KoraOp;
import dev.kora4j.peft.KoraWeights;
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

/** The KoRA update of one block ("NxD"; r 8, d_comp 4): fused one-pass op vs the unfused ops, forward+backward. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseSerialGC"})
public class KoraBenchmark {
    @Param({"12608x768", "4160x192"})
    public String shape;

    @Param({"2"})
    public int threads;

    private Tensor x, y, grad;
    private KoraWeights w;

    private static Tensor p(Rng rng, double bound, int... shape) {
        return Tensor.uniform(rng, -bound, bound, shape).requiresGrad(true);
    }

    @Setup
    public void setup() {
        String[] s = shape.split("x");
        int n = Integer.parseInt(s[0]), d = Integer.parseInt(s[1]), r = 8, dc = 4;
        Parallel.setThreads(threads);
        Rng rng = new Rng(7);
        x = Tensor.randn(rng, n, d).requiresGrad(true);
        y = Tensor.randn(rng, n, 3 * d);
        grad = Tensor.randn(rng, n, 3 * d);
        w = new KoraWeights(p(rng, 0.03, r, d), p(rng, 0.03, r, d), p(rng, 0.03, r, d), p(rng, 0.1, d, r), p(rng, 0.1, d, r),
                p(rng, 0.1, d, r), p(rng, 0.02, dc, 3 * d), p(rng, 0.1, dc), p(rng, 0.5, d, dc), p(rng, 0.1, d), Tensor.full(0.3, 1).requiresGrad(true));
    }

    private void clear() {
        x.zeroGrad();
        for (Tensor t : w.all()) {
            t.zeroGrad();
        }
    }

    @Benchmark
    public Tensor fusedForwardBackward() {
        clear();
        KoraOp.fused(x, y.mul(1.0), w, 1.0).backward(grad); // y is written in place, so each call gets a copy
        return x.grad();
    }

    @Benchmark
    public Tensor unfusedForwardBackward() {
        clear();
        KoraOp.unfused(x, y.mul(1.0), w, 1.0).backward(grad);
        return x.grad();
    }
}
