package dev.kora4j.ops;

import static dev.kora4j.Asserts.assertClose;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.Tolerance;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The fused attention op against the same function built from primitive ops. */
class AttentionTest {
    @ParameterizedTest(name = "B={0} N={1} D={2} heads={3}")
    @CsvSource({"2,65,48,3", "1,197,64,1", "3,17,36,4", "2,1,8,2"})
    void fusedMatchesUnfused(int b, int n, int d, int heads) {
        Tensor fusedIn = Tensor.uniform(new Rng(n), -2, 2, b, n, 3 * d).requiresGrad(true);
        Tensor plainIn = fusedIn.detach().mul(1.0).requiresGrad(true);
        double scale = 1 / Math.sqrt((double) d / heads);
        Tensor fused = Attention.selfAttention(fusedIn, heads, scale);
        Tensor plain = dev.kora4j.nn.Attention.unfused(plainIn, heads, scale);
        assertClose("forward", plain, fused, Tolerance.CHAINS);
        Tensor g = Tensor.uniform(new Rng(1), -1, 1, b, n, d);
        fused.backward(g);
        plain.backward(g);
        assertClose("dqkv", plainIn.grad(), fusedIn.grad(), Tolerance.CHAINS);
    }

    @Test
    void scoresFarBelowTheRowMaximumGetProbabilityZeroAsInTheUnfusedForm() {
        // scores hundreds apart: most exps are below the smallest normal float, which the fused
        // softmax takes as 0 and the unfused one keeps as subnormals; both must agree
        Tensor qkv = Tensor.uniform(new Rng(3), -30, 30, 2, 37, 3 * 16);
        Tensor fused = Attention.selfAttention(qkv, 2, 1.0);
        assertClose("forward", dev.kora4j.nn.Attention.unfused(qkv, 2, 1.0), fused, Tolerance.CHAINS);
    }

    @Test
    void aNanInOneQueryMakesOnlyThatTokensOutputNan() {
        int n = 21, d = 16;
        Tensor qkv = Tensor.uniform(new Rng(4), -1, 1, 1, n, 3 * d);
        qkv.set(Double.NaN, 0, 5, 0); // token 5's query, head 0
        Tensor out = Attention.selfAttention(qkv, 2, 0.25);
        for (int token = 0; token < n; token++) {
            for (int c = 0; c < d; c++) {
                boolean nan = Double.isNaN(out.get(0, token, c));
                if (token == 5 && c < d / 2) {
                    assertTrue(nan, "token 5, head 0, column " + c + " should be NaN");
                } else {
                    assertFalse(nan, "token " + token + ", column " + c + " should not be NaN");
                }
            }
        }
    }
}
