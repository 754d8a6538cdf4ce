package dev.kora4j.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.backend.reference.ReferenceBackend;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Dropout's keyed mask: the drop fraction it promises, the same mask for the same key on every backend, another for another key. */
class DropoutMaskTest {
    private static final int N = 200_000;

    @ParameterizedTest
    @ValueSource(doubles = {0.1, 0.5, 0.9})
    void dropsAboutPAndScalesTheRest(double p) {
        Tensor mask = Tensor.zeros(N);
        Backends.of(Device.CPU).dropoutMask(new Rng(7).nextLong(), p, mask);
        float[] m = mask.toFloatArray();
        int dropped = 0;
        for (float v : m) {
            if (v == 0) {
                dropped++;
            } else {
                assertEquals((float) (1 / (1 - p)), v);
            }
        }
        // binomial(N, p): a wrong p (or a biased draw) of 0.01 is more than 5 standard deviations off at these sizes
        double sd = Math.sqrt(N * p * (1 - p));
        assertTrue(Math.abs(dropped - N * p) < 4 * sd, dropped + " of " + N + " dropped for p = " + p);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.1, 0.5})
    void theSameKeyGivesTheSameMaskOnEveryBackendAnotherKeyAnother(double p) {
        long key = new Rng(3).nextLong();
        Tensor cpu = Tensor.zeros(N), ref = Tensor.zeros(DType.F64, Device.REFERENCE, N), other = Tensor.zeros(N);
        Backends.of(Device.CPU).dropoutMask(key, p, cpu);
        new ReferenceBackend().dropoutMask(key, p, ref);
        Backends.of(Device.CPU).dropoutMask(key + 1, p, other);
        assertArrayEquals(cpu.toFloatArray(), ref.to(DType.F32).toFloatArray());
        assertFalse(java.util.Arrays.equals(cpu.toFloatArray(), other.toFloatArray()));
    }
}
