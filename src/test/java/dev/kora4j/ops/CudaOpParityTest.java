package dev.kora4j.ops;

import static dev.kora4j.Asserts.assertCloseScaled;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kora4j.backend.cuda.CudaSupport;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
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
        return Stream.concat(OpCatalog.small().stream(), OpCatalog.large().stream());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void cudaMatchesReference(OpCase op) {
        Tensor[] ref = op.inputs(DType.F32, Device.REFERENCE);
        Tensor[] gpu = op.inputs(DType.F32, Device.CUDA);
        Tensor outRef = op.f().apply(ref);
        Tensor outGpu = op.f().apply(gpu);
        assertCloseScaled(op + " forward", outRef, outGpu, 1e-4);

        Tensor cotangent = Tensor.uniform(new Rng(99), -1, 1, outGpu.shape());
        outRef.backward(cotangent.to(Device.REFERENCE));
        outGpu.backward(cotangent.to(Device.CUDA));
        for (int i = 0; i < ref.length; i++) {
            if (op.frozen()[i]) {
                assertNull(gpu[i].grad(), op + ": frozen input " + i + " got a gradient");
                continue;
            }
            assertCloseScaled(op + " gradient of input " + i, ref[i].grad(), gpu[i].grad(), 1e-4);
        }
    }
}
