package dev.kora4j.ops;

import static dev.kora4j.Asserts.assertClose;

import dev.kora4j.Tolerance;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
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
}
