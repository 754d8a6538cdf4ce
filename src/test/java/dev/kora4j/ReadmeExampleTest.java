package dev.kora4j;

import static dev.kora4j.Asserts.assertClose;
import static org.junit.jupiter.api.Assertions.assertFalse;

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

        // What the README says of it: w.grad() and b.grad() are dL/dw and dL/db (the same sums on the
        // reference backend in F64, whose gradient GradCheck checks by finite differences), and
        // nothing is recorded under noGrad.
        int[] labels = {0, 1, 2, 3, 0, 1, 2, 3};
        Tensor x64 = x.to(DType.F64).to(Device.REFERENCE).detach();
        Tensor w64 = w.detach().to(DType.F64).to(Device.REFERENCE).detach().requiresGrad(true);
        Tensor b64 = b.detach().to(DType.F64).to(Device.REFERENCE).detach().requiresGrad(true);
        java.util.function.Function<Tensor[], Tensor> readmeLoss = in -> CrossEntropy.crossEntropy(MatMul.linear(x64, in[0], in[1]).gelu(), labels);
        GradCheck.check("the README's loss", readmeLoss, w64.detach().requiresGrad(true), b64.detach().requiresGrad(true));
        readmeLoss.apply(new Tensor[] {w64, b64}).backward();
        assertClose("dL/dw", w64.grad(), w.grad(), Tolerance.CHAINS);
        assertClose("dL/db", b64.grad(), b.grad(), Tolerance.CHAINS);
        try (var scope = GradMode.noGrad()) {
            assertFalse(MatMul.linear(x, w, b).requiresGrad(), "an op under noGrad records nothing");
        }
    }
}
