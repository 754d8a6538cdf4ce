package dev.kora4j;

import static dev.kora4j.Asserts.assertSameBits;

import dev.kora4j.backend.cpu.Parallel;
import dev.kora4j.nn.Linear;
import dev.kora4j.ops.CrossEntropy;
import dev.kora4j.ops.LayerNorm;
import dev.kora4j.ops.LinearTail;
import dev.kora4j.peft.LoraOp;
import dev.kora4j.optim.AdamW;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The same seeded training computation gives identical bits for any thread count, run after run. */
class DeterminismTest {
    /** A few AdamW steps of a small transformer-like block on 512 tokens (fused GELU, LoRA and residual epilogues); returns losses, logits and weights. */
    private static List<Tensor> run(int threads) {
        int before = Parallel.threads();
        Parallel.setThreads(threads);
        try {
            Rng rng = new Rng(2024);
            int tokens = 512, dim = 96, classes = 10;
            Linear fc1 = new Linear(dim, 4 * dim, true, rng);
            Linear fc2 = new Linear(4 * dim, dim, true, rng);
            Linear head = new Linear(dim, classes, true, rng);
            Tensor gamma = Tensor.ones(dim).requiresGrad(true), beta = Tensor.zeros(dim).requiresGrad(true);
            List<Tensor> params = new ArrayList<>(List.of(gamma, beta));
            params.addAll(fc1.parameters());
            params.addAll(fc2.parameters());
            params.addAll(head.parameters());
            Tensor loraA = Tensor.uniform(rng, -0.1, 0.1, 8, 4 * dim).requiresGrad(true);
            Tensor loraB = Tensor.uniform(rng, -0.1, 0.1, dim, 8).requiresGrad(true);
            params.addAll(List.of(loraA, loraB));
            AdamW opt = new AdamW(params, 1e-3);
            Tensor x = Tensor.randn(rng, 4, tokens / 4, dim);
            int[] labels = new int[4];
            for (int i = 0; i < 4; i++) {
                labels[i] = rng.nextInt(classes);
            }
            List<Tensor> out = new ArrayList<>();
            for (int step = 0; step < 3; step++) {
                opt.zeroGrad();
                Tensor h = LayerNorm.layerNorm(x, gamma, beta, 1e-6);
                Tensor attn = h.matmul(h.transpose(1, 2)).mul(0.1).softmax(-1).matmul(h);
                Tensor hidden = fc1.forward(attn, LinearTail.GELU).dropout(0.1, new Rng(step), true);
                Tensor y = LoraOp.linear(hidden, fc2.weight(), fc2.bias(), loraA, loraB, 2.0, LinearTail.residual(h));
                Tensor logits = head.forward(y.mean(false, 1));
                Tensor loss = CrossEntropy.crossEntropy(logits, labels, 0.1);
                loss.backward();
                opt.step();
                out.add(loss.detach());
                out.add(logits.detach());
            }
            params.forEach(p -> out.add(p.detach()));
            return out;
        } finally {
            Parallel.setThreads(before);
        }
    }

    /** 3 and 4 threads on two cores, and 3 and 7, which divide none of the work evenly. */
    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {2, 3, 4, 7})
    void anyThreadCountGivesTheBitsOfOne(int threads) {
        List<Tensor> one = OneThread.RESULTS, many = run(threads);
        for (int i = 0; i < one.size(); i++) {
            assertSameBits("result " + i + " with " + threads + " threads", one.get(i), many.get(i));
        }
    }

    /** The one-thread results, computed once for all thread counts (on first use, by the holder idiom). */
    private static final class OneThread {
        static final List<Tensor> RESULTS = run(1);
    }

    @Test
    void repeatedRunsGiveIdenticalBits() {
        List<Tensor> a = run(2), b = run(2);
        for (int i = 0; i < a.size(); i++) {
            assertSameBits("result " + i, a.get(i), b.get(i));
        }
    }
}
