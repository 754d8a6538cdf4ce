package dev.kora4j.ops;

import static dev.kora4j.Asserts.assertCloseScaled;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every op, forward and backward, on the cpu backend against the reference backend (F32). */
class OpParityTest {
    static Stream<OpCase> cases() {
        return Stream.concat(OpCatalog.small().stream(), OpCatalog.large().stream());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void cpuMatchesReference(OpCase op) {
        Tensor[] ref = op.inputs(DType.F32, Device.REFERENCE);
        Tensor[] cpu = op.inputs(DType.F32, Device.CPU);
        Tensor outRef = op.f().apply(ref);
        Tensor outCpu = op.f().apply(cpu);
        assertCloseScaled(op + " forward", outRef, outCpu, 1e-4);

        Tensor cotangent = Tensor.uniform(new Rng(99), -1, 1, outCpu.shape());
        outRef.backward(cotangent.to(Device.REFERENCE));
        outCpu.backward(cotangent);
        for (int i = 0; i < ref.length; i++) {
            if (op.frozen()[i]) {
                assertNull(cpu[i].grad(), op + ": frozen input " + i + " got a gradient");
                continue;
            }
            assertCloseScaled(op + " gradient of input " + i, ref[i].grad(), cpu[i].grad(), 1e-4);
        }
    }
}
