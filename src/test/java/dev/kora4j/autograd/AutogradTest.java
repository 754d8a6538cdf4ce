package dev.kora4j.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.ops.MatMul;
import dev.kora4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class AutogradTest {
    @Test
    void gradientsOfASimpleExpression() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor y = x.mul(x).sum(); // d/dx Σx² = 2x
        y.backward();
        assertArrayEquals(new double[] {2, 4, 6}, x.grad().toDoubleArray());
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        Tensor x = Tensor.of(new float[] {1, -1}, 2).requiresGrad(true);
        x.mul(3).sum().backward();
        x.mul(3).sum().backward();
        assertArrayEquals(new double[] {6, 6}, x.grad().toDoubleArray());
        x.zeroGrad();
        assertNull(x.grad());
        x.mul(2).sum().backward();
        assertArrayEquals(new double[] {2, 2}, x.grad().toDoubleArray());
    }

    @Test
    void aTensorUsedTwiceGetsBothContributions() {
        Tensor x = Tensor.of(new float[] {2}, 1).requiresGrad(true);
        Tensor y = x.mul(x).add(x.exp()); // d/dx = 2x + e^x
        y.sum().backward();
        assertEquals(4 + Math.exp(2), x.grad().get(0), 1e-5);
    }

    @Test
    void noGradScopeRecordsNothingAndRestores() {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        Tensor y;
        try (var scope = GradMode.noGrad()) {
            assertFalse(GradMode.isEnabled());
            try (var inner = GradMode.noGrad()) {
                assertFalse(GradMode.isEnabled());
            }
            assertFalse(GradMode.isEnabled());
            y = x.mul(2);
        }
        assertTrue(GradMode.isEnabled());
        assertFalse(y.requiresGrad());
        assertNull(y.gradFn());
        assertThrows(IllegalStateException.class, () -> y.sum().backward());
    }

    @Test
    void detachCutsTheTapeButSharesData() {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        Tensor d = x.mul(2).detach();
        assertFalse(d.requiresGrad());
        Tensor z = x.mul(d).sum(); // d is a constant: dz/dx = d = 2
        z.backward();
        assertArrayEquals(new double[] {2, 2}, x.grad().toDoubleArray());
    }

    @Test
    void frozenTensorsGetNoGradientAndNoWeightGradientWork() {
        Tensor x = Tensor.randn(new dev.kora4j.tensor.Rng(1), 4, 3).requiresGrad(true);
        Tensor w = Tensor.randn(new dev.kora4j.tensor.Rng(2), 5, 3); // frozen: requiresGrad false
        Tensor b = Tensor.zeros(5).requiresGrad(true);
        Tensor y = MatMul.linear(x, w, b);
        Node node = y.gradFn();
        assertTrue(node.needsGrad(0));
        assertFalse(node.needsGrad(1)); // the linear op's backward skips dW
        assertTrue(node.needsGrad(2));
        y.sum().backward();
        assertNull(w.grad());
        assertNotNull(x.grad());
        assertArrayEquals(new double[] {4, 4, 4, 4, 4}, b.grad().toDoubleArray());
    }

    @Test
    void savedTensorsAreReleasedAfterBackwardUnlessRetained() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        Tensor y = x.exp().sum();
        Node expNode = x.exp().gradFn();
        y.backward();
        Tensor y2 = x.exp();
        Tensor s = y2.sum();
        s.backward(Tensor.scalar(1), false);
        assertTrue(y2.gradFn().isReleased());
        var e = assertThrows(IllegalStateException.class, () -> y2.sum().backward());
        assertTrue(e.getMessage().contains("released"), e.getMessage());
        assertFalse(expNode.isReleased()); // a node no backward went through keeps its tensors

        x.zeroGrad();
        Tensor kept = x.exp();
        Tensor total = kept.sum();
        total.backward(Tensor.scalar(1), true);
        assertFalse(kept.gradFn().isReleased());
        total.backward(Tensor.scalar(1), true);
        assertEquals(2 * Math.exp(1), x.grad().get(0), 1e-5);
    }

    @Test
    void backwardFromANonScalarNeedsAGradientOfItsShape() {
        Tensor x = Tensor.ones(2, 2).requiresGrad(true);
        Tensor y = x.mul(3);
        assertThrows(IllegalArgumentException.class, y::backward);
        assertThrows(IllegalArgumentException.class, () -> y.backward(Tensor.ones(4)));
        y.backward(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        assertArrayEquals(new double[] {3, 6, 9, 12}, x.grad().toDoubleArray());
    }

    @Test
    void requiresGradCanOnlyBeSetOnLeaves() {
        Tensor y = Tensor.ones(2).requiresGrad(true).mul(2);
        assertThrows(IllegalStateException.class, () -> y.requiresGrad(false));
    }

    @Test
    void gradCheckCatchesAWrongBackwardRule() {
        Tensor x = Tensor.randn(new dev.kora4j.tensor.Rng(3), dev.kora4j.tensor.DType.F64, dev.kora4j.tensor.Device.REFERENCE, 3)
                .requiresGrad(true);
        // a deliberately wrong rule: forward x², backward claims x
        java.util.function.Function<Tensor[], Tensor> wrong = in -> Tape.record("bad_square",
                in[0].detach().mul(in[0].detach()), new Tensor[] {in[0]}, (g, node) -> new Tensor[] {g.mul(in[0].detach())});
        assertThrows(AssertionError.class, () -> GradCheck.check("bad_square", wrong, x));
        GradCheck.check("square", in -> in[0].mul(in[0]), x);
    }
}
