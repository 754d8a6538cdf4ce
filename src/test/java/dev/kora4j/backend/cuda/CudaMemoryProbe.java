package dev.kora4j.backend.cuda;

import dev.kora4j.backend.DeviceMemoryException;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Run by CudaOutOfMemoryTest in a JVM of its own, on a device of 64 MiB: the allocator's ways out
 * of a full device, one line each, "ok ..." or "FAIL ..."; exit status 1 if any failed.
 */
public final class CudaMemoryProbe {
    private static final int MIB = 1 << 20;
    private static boolean failed;

    private CudaMemoryProbe() {}

    private static void check(boolean good, String what) {
        System.out.println((good ? "ok   " : "FAIL ") + what);
        failed |= !good;
    }

    private static Tensor mib(int n) {
        return Tensor.empty(DType.F32, Device.CUDA, n * MIB / Float.BYTES);
    }

    public static void main(String[] args) {
        CudaAllocator allocator = CudaContext.get().allocator;

        // Cached blocks of one size are given back to the driver for a request of another.
        List<jcuda.driver.CUdeviceptr> blocks = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            blocks.add(allocator.allocate(8L * MIB));
        }
        blocks.forEach(p -> allocator.release(p, 8L * MIB));
        check(allocator.bytesCached() == 56L * MIB, "7 released blocks of 8 MiB are cached (" + allocator.bytesCached() + " bytes)");
        allocator.release(allocator.allocate(32L * MIB), 32L * MIB);
        check(allocator.bytesCached() == 32L * MIB, "a 32 MiB block fits once the cache is emptied");
        allocator.emptyCache();

        // Tensors nobody holds any more come back through the garbage collector.
        long checksum = 0;
        for (int i = 0; i < 40; i++) { // 320 MiB in all, on a 64 MiB device
            checksum += mib(8).numel();
        }
        check(checksum == 40L * 2 * MIB, "40 tensors of 8 MiB made one after another on a 64 MiB device");

        // Tensors still held: one clear error, and the device is usable again once they are dropped.
        List<Tensor> held = new ArrayList<>();
        String message = null;
        try {
            for (int i = 0; i < 9; i++) {
                held.add(mib(8));
            }
        } catch (DeviceMemoryException e) {
            message = e.getMessage();
        }
        check(message != null && held.size() == 8, "holding more than 64 MiB fails at the ninth tensor of 8 MiB (" + held.size() + " held)");
        check(message != null && !message.contains("\n") && message.equals("cuda: NVIDIA H200 (kora4j CPU stand-in): out of device memory allocating 8.0 MiB (64.0 MiB of 64.0 MiB in use)"),
                "with one line: " + message);
        held.clear();
        check(mib(32).numel() == 8 * MIB, "32 MiB can be had again once the held tensors are dropped");
        System.exit(failed ? 1 : 0);
    }
}
