package dev.kora4j;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.kora4j.autograd.GradCheck;
import dev.kora4j.autograd.GradMode;
import dev.kora4j.ops.CrossEntropy;
import dev.kora4j.ops.MatMul;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The README's "Autograd in ten lines", as written there. */
class ReadmeExampleTest {
    @Test
    void theReadmeExampleRuns() {
        Rng rng = new Rng(42);
        Tensor x = Tensor.randn(rng, 8, 16);                                 // a batch of 8 inputs
        Tensor w = Tensor.randn(rng, 4, 16).mul(0.1).requiresGrad(true);
        Tensor b = Tensor.zeros(4).requiresGrad(true);
        Tensor loss = CrossEntropy.crossEntropy(MatMul.linear(x, w, b).gelu(), new int[] {0, 1, 2, 3, 0, 1, 2, 3});
        loss.backward();                                                     // w.grad(), b.grad(): dL/dw, dL/db
        try (var scope = GradMode.noGrad()) { /* evaluation: nothing is recorded */ }
        GradCheck.check("tanh", in -> in[0].tanh().sum(), Tensor.randn(rng, DType.F64, Device.REFERENCE, 3).requiresGrad(true));
        assertNotNull(w.grad());
        assertNotNull(b.grad());
    }
}
