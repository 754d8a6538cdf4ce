package dev.kora4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Tensor;
import jcuda.CudaException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Launches an H200 refuses, refused with the driver's codes: more threads than a block may have,
 * more than a kernel's launch bound, more shared memory than a block gets. Such errors are the
 * launch's own (not sticky): the next launch works.
 */
@Tag("gpu")
class CudaLaunchLimitsTest {
    private CudaContext context;
    private Tensor out;

    @BeforeEach
    void setUp() {
        CudaSupport.assumeCuda();
        context = CudaContext.get();
        out = Tensor.zeros(DType.F32, Device.CUDA, 4096);
    }

    private void fill(int threads, int sharedBytes) {
        context.launch("fill", new int[] {1, 1, 1}, new int[] {threads, 1, 1}, sharedBytes, CudaTensors.ptr("test", out), 1f, 4096L);
    }

    private static void assertRefused(String code, Runnable launch) {
        CudaException e = assertThrows(CudaException.class, launch::run);
        assertTrue(e.getMessage().contains(code), e.getMessage());
    }

    @Test
    void moreThreadsThanABlockMayHave() {
        assertRefused("CUDA_ERROR_INVALID_VALUE", () -> fill(1025, 0));
        assertRefused("CUDA_ERROR_INVALID_VALUE", () -> context.launch("fill", new int[] {1, 1, 1}, new int[] {64, 1, 65}, 0,
                CudaTensors.ptr("test", out), 1f, 4096L)); // blockDim.z is at most 64
        fill(1024, 0);
        float[] ones = new float[4096];
        java.util.Arrays.fill(ones, 1f);
        assertArrayEquals(ones, out.toFloatArray());
    }

    @Test
    void moreThreadsThanTheKernelsLaunchBound() {
        // sgemm is compiled with __launch_bounds__(256); 512 threads are fine for a kernel without bounds
        Tensor a = Tensor.zeros(DType.F32, Device.CUDA, 64, 64);
        CudaGemm.Matrix m = new CudaGemm.Matrix(CudaTensors.ptr("test", a), 0, 64, 1);
        assertRefused("CUDA_ERROR_INVALID_VALUE", () -> context.launch("sgemm", new int[] {1, 1, 1}, new int[] {512, 1, 1}, 0,
                m.pointer(), CudaGemm.operand(m), m.pointer(), CudaGemm.operand(m), m.pointer(), 0L, 64, 64, 64, 64, 0));
    }

    @Test
    void moreSharedMemoryThanABlockGets() {
        assertRefused("CUDA_ERROR_INVALID_VALUE", () -> fill(256, 48 * 1024 + 4));
        fill(256, 48 * 1024); // all of it is allowed to a kernel with no static shared memory
    }
}
