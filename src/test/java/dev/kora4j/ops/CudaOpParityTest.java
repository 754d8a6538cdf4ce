package dev.kora4j.ops;

import dev.kora4j.backend.cuda.CudaSupport;
import dev.kora4j.tensor.Device;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every op of the catalogue, forward and backward through autograd, on cuda against the reference backend. */
@Tag("gpu")
class CudaOpParityTest {
    @BeforeEach
    void needsCuda() {
        CudaSupport.assumeCuda();
    }

    static Stream<OpCase> cases() {
        return OpParityTest.cases();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void cudaMatchesReference(OpCase op) {
        OpParityTest.assertMatchesReference(op, Device.CUDA);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void cudaForwardWithoutTheTapeHasTheSameBits(OpCase op) {
        OpParityTest.assertSameWithoutTheTape(op, Device.CUDA);
    }
}
