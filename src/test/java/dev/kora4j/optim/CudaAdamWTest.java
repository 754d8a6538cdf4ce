package dev.kora4j.optim;

import static dev.kora4j.Asserts.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kora4j.backend.cuda.CudaSupport;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** AdamW on cuda parameters gives the cpu's bits, and its state survives a checkpoint round trip. */
@Tag("gpu")
class CudaAdamWTest {
    @BeforeEach
    void needsCuda() {
        CudaSupport.assumeCuda();
    }

    @Test
    void cudaStepsGiveTheCpuBits() {
        Rng rng = new Rng(3);
        Tensor[] cpu = {Tensor.uniform(rng, -1, 1, 7, 5).requiresGrad(true), Tensor.uniform(rng, -1, 1, 1001).requiresGrad(true)};
        Tensor[] gpu = new Tensor[cpu.length];
        for (int i = 0; i < cpu.length; i++) {
            gpu[i] = cpu[i].detach().to(Device.CUDA).detach().requiresGrad(true);
        }
        AdamW onCpu = new AdamW(List.of(cpu), 1e-2), onGpu = new AdamW(List.of(gpu), 1e-2);
        for (int step = 0; step < 4; step++) {
            for (int i = 0; i < cpu.length; i++) {
                Tensor g = Tensor.uniform(rng, -1, 1, cpu[i].shape());
                cpu[i].setGrad(g);
                gpu[i].setGrad(g.to(Device.CUDA).detach());
            }
            onCpu.step();
            onGpu.step();
        }
        for (int i = 0; i < cpu.length; i++) {
            assertSameBits("parameter " + i, cpu[i], gpu[i]);
            AdamW.State a = onCpu.stateOf(cpu[i]), b = onGpu.stateOf(gpu[i]);
            assertArrayEquals(a.m, b.m);
            assertArrayEquals(a.v, b.v);
            assertEquals(a.step, b.step);
            onGpu.restoreState(gpu[i], a.m, a.v, a.step); // and back onto the device
            assertArrayEquals(a.v, onGpu.stateOf(gpu[i]).v);
        }
    }
}
