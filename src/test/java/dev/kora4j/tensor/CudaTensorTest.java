package dev.kora4j.tensor;

import static dev.kora4j.Asserts.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.backend.cuda.CudaSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Tensors made for cuda live in device memory, inside a buffer-pool step as well as outside. */
@Tag("gpu")
class CudaTensorTest {
    @BeforeEach
    void needsCuda() {
        CudaSupport.assumeCuda();
    }

    @Test
    void pooledZerosOnCudaAreDeviceMemory() {
        Tensor outside = Tensor.pooledZeros(DType.F32, Device.CUDA, 5000);
        assertInstanceOf(DeviceStorage.class, outside.storage());
        assertArrayEquals(new float[5000], outside.toFloatArray());
        try (var step = new BufferPool().step()) {
            Tensor inside = Tensor.pooledZeros(DType.F32, Device.CUDA, 5000);
            assertInstanceOf(DeviceStorage.class, inside.storage());
            assertArrayEquals(new float[5000], inside.toFloatArray());
        }
    }

    /** The backward of select and narrow pads the gradient into zeros (Views.padInto): on cuda, on the device. */
    @Test
    void gradientsThroughSelectAndNarrowOnCuda() {
        Tensor host = Tensor.uniform(new Rng(4), -1, 1, 3, 7, 5);
        Tensor onCpu = host.detach().requiresGrad(true), onCuda = host.to(Device.CUDA).detach().requiresGrad(true);
        for (Tensor x : new Tensor[] {onCpu, onCuda}) {
            x.select(1, 0).sum().add(x.narrow(2, 1, 3).mul(2.0).sum()).backward();
        }
        assertInstanceOf(DeviceStorage.class, onCuda.grad().storage());
        assertSameBits("gradient", onCpu.grad(), onCuda.grad());
    }

    /** A step's device memory goes back when the step ends; a tensor of it used afterwards is refused, not read from a reused block. */
    @Test
    void aCudaTensorOfAStepIsGoneWhenTheStepEnds() {
        var cuda = dev.kora4j.backend.cuda.CudaBackend.get();
        long before = cuda.memoryInUse();
        Tensor made;
        try (var step = new BufferPool().step()) {
            made = Tensor.zeros(DType.F32, Device.CUDA, 100_000);
            assertTrue(cuda.memoryInUse() >= before + 400_000, "the tensor's block is in use during the step");
        }
        assertEquals(before, cuda.memoryInUse(), "and back with the allocator after it");
        IllegalStateException e = assertThrows(IllegalStateException.class, made::toFloatArray);
        assertEquals("cuda: a tensor made in a buffer-pool step was used after the step ended", e.getMessage());
    }
}
