package dev.kora4j.cli;

import dev.kora4j.backend.cpu.Parallel;
import dev.kora4j.peft.KoraOp;
import dev.kora4j.peft.KoraWeights;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `kora bench kora`: the KoRA update of one attention block (N tokens of width D) as the fused
 * one-pass op and as the unfused composition of primitive ops, forward and forward+backward.
 */
@Command(name = "kora", description = "The KoRA update, fused vs unfused: median ms of forward and forward+backward.")
final class KoraBench implements Runnable {
    @Option(names = "--tokens", required = true, description = "Tokens N (batch × tokens per image).") int tokens;
    @Option(names = "--dim", required = true, description = "Embedding width D.") int dim;
    @Option(names = "--rank", defaultValue = "8", description = "LoRA rank r (default ${DEFAULT-VALUE}).") int rank;
    @Option(names = "--dcomp", defaultValue = "4", description = "Composition width d_comp (default ${DEFAULT-VALUE}).") int dcomp;
    @Option(names = "--threads", description = "Worker threads (default: all cores).") Integer threads;
    @Option(names = "--steps", defaultValue = "10", description = "Timed repeats (default ${DEFAULT-VALUE}).") int steps;
    @Option(names = "--warmup", defaultValue = "3", description = "Untimed repeats first (default ${DEFAULT-VALUE}).") int warmup;
    @Option(names = "--device", defaultValue = "cpu", description = "cpu (default) or cuda (timed by CUDA events).") String device;

    @Override
    public void run() {
        if (tokens < 1 || dim < 1 || rank < 1 || dcomp < 1 || steps < 1 || warmup < 0) {
            throw new UserError("--tokens, --dim, --rank, --dcomp and --steps must be positive, --warmup not negative");
        }
        if ((long) tokens * 3 * dim > Integer.MAX_VALUE) {
            throw new UserError("--tokens × 3·--dim must stay below 2^31 elements");
        }
        clock = BenchClock.forDevice(device);
        Device d = Device.parse(device);
        Main.applyThreads(threads);
        Rng rng = new Rng(5);
        Tensor x = Tensor.randn(rng, tokens, dim).to(d).detach().requiresGrad(true);
        Tensor y = Tensor.randn(rng, tokens, 3 * dim).to(d).detach();
        Tensor cotangent = Tensor.randn(rng, tokens, 3 * dim).to(d).detach();
        double bound = 1 / Math.sqrt(dim);
        KoraWeights w = new KoraWeights(
                param(rng, bound, d, rank, dim), param(rng, bound, d, rank, dim), param(rng, bound, d, rank, dim),
                param(rng, 0.1, d, dim, rank), param(rng, 0.1, d, dim, rank), param(rng, 0.1, d, dim, rank),
                param(rng, 1 / Math.sqrt(3.0 * dim), d, dcomp, 3 * dim), param(rng, 0.1, d, dcomp),
                param(rng, 0.5, d, dim, dcomp), param(rng, 0.1, d, dim), Tensor.full(0.3, DType.F32, d, 1).requiresGrad(true));
        double s = 1.0;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bench", "kora");
        out.put("tokens", tokens);
        out.put("dim", dim);
        out.put("rank", rank);
        out.put("dcomp", dcomp);
        out.put("threads", Parallel.threads());
        BenchClock.describeInto(out, device);
        // y is the qkv output the fused op writes into: each run gets a fresh copy, made outside the timing.
        out.put("fused_fwd_ms", time(() -> y.mul(1.0), in -> KoraOp.fused(x, in, w, s), null, x, w));
        out.put("fused_fwdbwd_ms", time(() -> y.mul(1.0), in -> KoraOp.fused(x, in, w, s), cotangent, x, w));
        out.put("unfused_fwd_ms", time(() -> y, in -> KoraOp.unfused(x, in, w, s), null, x, w));
        out.put("unfused_fwdbwd_ms", time(() -> y, in -> KoraOp.unfused(x, in, w, s), cotangent, x, w));
        BenchCommand.printJson(out);
    }

    private static Tensor param(Rng rng, double bound, Device d, int... shape) {
        return Tensor.uniform(rng, -bound, bound, shape).to(d).detach().requiresGrad(true);
    }

    private BenchClock clock;

    /** Median ms of op (and backward when a cotangent is given), gradients cleared between runs. */
    private double time(Supplier<Tensor> input, java.util.function.Function<Tensor, Tensor> op, Tensor cotangent, Tensor x, KoraWeights w) {
        double[] ms = new double[steps];
        for (int i = 0; i < warmup + steps; i++) {
            x.zeroGrad();
            for (Tensor t : w.all()) {
                t.zeroGrad();
            }
            Tensor in = input.get();
            clock.start();
            Tensor result = op.apply(in);
            if (cotangent != null) {
                result.backward(cotangent);
            }
            double elapsed = clock.stopMillis();
            if (i >= warmup) {
                ms[i - warmup] = elapsed;
            }
        }
        return Math.round(BenchCommand.median(ms) * 1000) / 1000.0;
    }
}
