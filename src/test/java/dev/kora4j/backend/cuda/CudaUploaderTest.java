package dev.kora4j.backend.cuda;

import static dev.kora4j.Asserts.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.tensor.BufferPool;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import dev.kora4j.tensor.Uploader;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The double-buffered input path: what goes up, when a buffer is reused, and what it never does. */
@Tag("gpu")
class CudaUploaderTest {
    private final Rng rng = new Rng(7);
    private CudaBackend cuda;

    @BeforeEach
    void setUp() {
        CudaSupport.assumeCuda();
        cuda = CudaBackend.get();
    }

    private Tensor batch(int b) {
        return Tensor.uniform(rng, -1, 1, b, 3, 5, 7);
    }

    @Test
    void aBatchArrivesWithItsValuesAndShape() {
        try (Uploader uploads = Uploader.to(Device.CUDA)) {
            Tensor host = batch(4);
            Tensor up = uploads.upload(host);
            assertEquals(Device.CUDA, up.device());
            assertArrayEquals(host.shape(), up.shape());
            assertSameBits("uploaded batch", host, up.to(Device.CPU));
            Tensor view = host.transpose(2, 3); // a strided view goes up as its elements in row-major order
            assertSameBits("uploaded view", view.contiguous(), uploads.upload(view).to(Device.CPU));
        }
    }

    @Test
    void eachBatchStaysReadableUntilTheSecondUploadAfterIt() {
        try (Uploader uploads = Uploader.to(Device.CUDA)) {
            Tensor a = batch(4), b = batch(4), c = batch(3);
            Tensor upA = uploads.upload(a), upB = uploads.upload(b);
            assertSameBits("first batch beside the second", a, upA.to(Device.CPU));
            Tensor upC = uploads.upload(c); // takes the first batch's buffers
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> upA.to(Device.CPU));
            assertTrue(e.getMessage().contains("used after its buffer"), e.getMessage());
            assertSameBits("second batch", b, upB.to(Device.CPU));
            assertSameBits("third batch, smaller, in the first's buffers", c, upC.to(Device.CPU));
        }
    }

    @Test
    void steadyUploadsAllocateNothingAndNeverWaitForTheDevice() {
        BufferPool pool = new BufferPool();
        try (Uploader uploads = Uploader.to(Device.CUDA)) {
            Tensor[] hosts = {batch(8), batch(8), batch(5)};
            for (int i = 0; i < 2; i++) { // the first two fill both slots
                try (var step = pool.step()) {
                    uploads.upload(hosts[i]);
                }
            }
            long memory = cuda.memoryInUse(), syncs = cuda.context.syncs(), copies = cuda.hostCopies();
            for (int i = 0; i < 12; i++) {
                try (var step = pool.step()) { // as in training: made inside a step, kept across steps
                    uploads.upload(hosts[i % hosts.length]);
                }
                assertEquals(memory, cuda.memoryInUse(), "device memory after upload " + (i + 3));
            }
            assertEquals(syncs, cuda.context.syncs(), "stream syncs during steady uploads");
            assertEquals(copies, cuda.hostCopies(), "copies to the host during steady uploads");
            Tensor big = batch(20); // a larger batch grows the slot it lands in, and reads right
            assertSameBits("larger batch", big, uploads.upload(big).to(Device.CPU));
        }
    }

    @Test
    void closingGivesTheBuffersBackAndEndsWhatItReturned() {
        long before = cuda.memoryInUse();
        Uploader uploads = Uploader.to(Device.CUDA);
        Tensor up = uploads.upload(batch(6));
        assertTrue(cuda.memoryInUse() > before, "an upload holds device memory");
        uploads.close();
        assertEquals(before, cuda.memoryInUse(), "device memory after close");
        assertThrows(IllegalStateException.class, () -> up.to(Device.CPU));
        assertThrows(IllegalStateException.class, () -> uploads.upload(batch(6)));
    }

    @Test
    void aTensorAlreadyOnTheDeviceIsRefused() {
        try (Uploader uploads = Uploader.to(Device.CUDA)) {
            Tensor onDevice = batch(2).to(Device.CUDA);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> uploads.upload(onDevice));
            assertTrue(e.getMessage().contains("on the heap"), e.getMessage());
        }
    }
}
