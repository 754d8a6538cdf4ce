package dev.kora4j.ops;

import static dev.kora4j.Asserts.assertClose;
import static dev.kora4j.Asserts.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kora4j.autograd.GradMode;
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
        assertMatchesReference(op, Device.CPU);
    }

    /**
     * Outside the tape an op may take shortcuts (a linear's GELU in place of a kept pre-activation),
     * none of which may change its output.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardWithoutTheTapeHasTheSameBits(OpCase op) {
        assertSameWithoutTheTape(op, Device.CPU);
        assertSameWithoutTheTape(op, Device.REFERENCE);
    }

    static void assertSameWithoutTheTape(OpCase op, Device device) {
        Tensor recorded = op.f().apply(op.inputs(DType.F32, device));
        Tensor plain;
        try (var scope = GradMode.noGrad()) {
            plain = op.f().apply(op.inputs(DType.F32, device));
        }
        assertSameBits(op + " on " + device + " without the tape", recorded, plain);
    }

    /** The op's forward and every input gradient on {@code device} against the reference backend (F32). */
    static void assertMatchesReference(OpCase op, Device device) {
        Tensor[] ref = op.inputs(DType.F32, Device.REFERENCE);
        Tensor[] dev = op.inputs(DType.F32, device);
        Tensor outRef = op.f().apply(ref);
        Tensor outDev = op.f().apply(dev);
        assertClose(op + " forward", outRef, outDev, op.tolerance());

        Tensor cotangent = Tensor.uniform(new Rng(99), -1, 1, outRef.shape());
        outRef.backward(cotangent.to(Device.REFERENCE));
        outDev.backward(cotangent.to(device));
        for (int i = 0; i < ref.length; i++) {
            if (op.frozen()[i]) {
                assertNull(dev[i].grad(), op + ": frozen input " + i + " got a gradient");
                continue;
            }
            assertClose(op + " gradient of input " + i, ref[i].grad(), dev[i].grad(), op.tolerance());
        }
    }
}
