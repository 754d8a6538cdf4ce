package dev.kora4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.backend.fused.AttentionKernel;
import dev.kora4j.backend.fused.CrossEntropyKernel;
import dev.kora4j.backend.fused.KoraCompositionKernel;
import dev.kora4j.backend.fused.KoraTokensKernel;
import dev.kora4j.backend.fused.LayerNormKernel;
import dev.kora4j.backend.fused.SoftmaxKernel;
import dev.kora4j.ops.LayerNorm;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Who offers which fused kernel, and that an op without one runs its composition (the oracle). */
class FusedKernelsTest {
    private static final List<Class<?>> CPU_KERNELS = List.of(SoftmaxKernel.class, LayerNormKernel.class,
            CrossEntropyKernel.class, AttentionKernel.class, KoraTokensKernel.class);

    @Test
    void theReferenceBackendHasNoFusedKernelAndTheCpuBackendHasItsFive() {
        for (Class<?> type : CPU_KERNELS) {
            assertTrue(Backends.of(Device.REFERENCE).kernel(type).isEmpty(), "reference offers " + type.getSimpleName());
            assertTrue(Backends.of(Device.CPU).kernel(type).isPresent(), "cpu lacks " + type.getSimpleName());
        }
        // KoRA's composition weights in one pass pay only where launches cost more than three small products
        assertTrue(Backends.of(Device.CPU).kernel(KoraCompositionKernel.class).isEmpty());
    }

    @Test
    void f64OnTheCpuGoesToTheReferenceLoops() {
        assertSame(Backends.of(Device.REFERENCE), Backends.of(Tensor.zeros(DType.F64, Device.CPU, 2)));
        assertSame(Backends.of(Device.CPU), Backends.of(Tensor.zeros(DType.F32, Device.CPU, 2)));
    }

    @Test
    void withoutAKernelTheOpRecordsItsComposition() {
        Rng rng = new Rng(3);
        Tensor gamma = Tensor.ones(DType.F32, Device.CPU, 5).requiresGrad(true), beta = Tensor.zeros(5).requiresGrad(true);
        Tensor x = Tensor.randn(rng, 3, 5).requiresGrad(true);
        assertEquals("layer_norm", LayerNorm.layerNorm(x, gamma, beta, 1e-5).gradFn().op(), "cpu: one fused node");
        Tensor onReference = LayerNorm.layerNorm(x.to(Device.REFERENCE), gamma.to(Device.REFERENCE), beta.to(Device.REFERENCE), 1e-5);
        assertEquals("add", onReference.gradFn().op(), "reference: the composition's last node (+ β)");
    }
}
