package dev.kora4j.backend.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jcuda.CudaException;
import jcuda.driver.CUdeviceptr;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A kernel given device memory that was freed faults as on a GPU: the launch is accepted, the
 * next sync reports CUDA_ERROR_ILLEGAL_ADDRESS, and every later call does too (the fault is
 * sticky, which is why this is a class of its own: the gpu tests run each class in a fresh JVM).
 */
@Tag("gpu")
class CudaUseAfterFreeTest {
    @Test
    void aFreedPointerFaultsAndTheFaultIsSticky() {
        CudaSupport.assumeCuda();
        CudaContext context = CudaContext.get();
        context.makeCurrent();
        CUdeviceptr p = new CUdeviceptr();
        cuMemAlloc(p, 1 << 20);
        cuMemFree(p);
        CudaException fault = assertThrows(CudaException.class, () -> {
            context.launch("fill", new int[] {1, 1, 1}, new int[] {256, 1, 1}, 0, p, 1f, 1024L);
            context.sync();
        });
        assertTrue(fault.getMessage().contains("CUDA_ERROR_ILLEGAL_ADDRESS"), fault.getMessage());
        CudaException later = assertThrows(CudaException.class, () -> cuMemAlloc(new CUdeviceptr(), 4096));
        assertTrue(later.getMessage().contains("CUDA_ERROR_ILLEGAL_ADDRESS"), later.getMessage());
    }
}
