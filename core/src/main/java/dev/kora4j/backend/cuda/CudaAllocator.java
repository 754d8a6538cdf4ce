package dev.kora4j.backend.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;

import dev.kora4j.backend.DeviceMemoryException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import jcuda.CudaException;
import jcuda.driver.CUdeviceptr;

/**
 * A caching allocator: blocks are rounded up to a bucket size and, once released, kept on that
 * bucket's free list for the next request of the same bucket, so that a steady training step
 * calls cuMemAlloc only in its first iteration. Buckets: multiples of 512 B below 1 MiB, of 2 MiB above.
 *
 * <p>Why reuse without a sync is safe: every launch and copy runs on the context's one stream, so a
 * block released while a queued kernel still reads it is only written again by work queued later.
 * Releases may come from the garbage collector's cleaner thread, hence the locking.
 */
final class CudaAllocator {
    private static final long SMALL = 512, LARGE = 2L << 20, SMALL_LIMIT = 1L << 20;

    /** {@code -Dkora.cuda.poison=true}: fill every block handed out with NaN (read when the context is made). */
    private final boolean poison = Boolean.getBoolean("kora.cuda.poison");
    private final CudaContext context;
    private final Map<Long, ArrayDeque<CUdeviceptr>> free = new HashMap<>();
    private long inUse, cached, peak;

    CudaAllocator(CudaContext context) {
        this.context = context;
    }

    static long bucket(long bytes) {
        long unit = bytes < SMALL_LIMIT ? SMALL : LARGE;
        return Math.max(unit, (bytes + unit - 1) / unit * unit);
    }

    /**
     * A block of at least {@code bytes}; its contents are whatever the last user left. When the
     * device is full: first the cached blocks go back to the driver; then, since blocks of
     * unreachable tensors return only once the garbage collector has found them, a collection is
     * asked for (outside the lock, so that the cleaner can release) and the allocation retried.
     */
    CUdeviceptr allocate(long bytes) {
        long size = bucket(bytes);
        CUdeviceptr p = tryAllocate(size);
        for (int attempt = 0; p == null && attempt < 6; attempt++) {
            System.gc();
            try {
                Thread.sleep(1L << (attempt + 2)); // 4 ms .. 128 ms for the cleaner to run
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            p = tryAllocate(size);
        }
        if (p == null) {
            throw new DeviceMemoryException("cuda: " + context.deviceName(), size, bytesInUse(), context.totalMemory());
        }
        return p;
    }

    /** A block from the bucket's free list or the driver (after emptying the cache if needed), or null when the device is full. */
    private synchronized CUdeviceptr tryAllocate(long size) {
        ArrayDeque<CUdeviceptr> list = free.get(size);
        CUdeviceptr p = list == null ? null : list.poll();
        if (p != null) {
            cached -= size;
        } else {
            p = new DeviceAddress();
            context.makeCurrent();
            if (!driverAllocate(p, size)) {
                emptyCache();
                if (!driverAllocate(p, size)) {
                    return null;
                }
            }
        }
        if (poison) { // tests: every block starts as NaN, so an output a kernel forgets to write shows
            cuMemsetD32Async(p, Float.floatToRawIntBits(Float.NaN), size / Float.BYTES, context.stream());
        }
        inUse += size;
        peak = Math.max(peak, inUse);
        return p;
    }

    private static boolean driverAllocate(CUdeviceptr p, long size) {
        try {
            cuMemAlloc(p, size);
            return true;
        } catch (CudaException e) {
            if (e.getMessage() != null && e.getMessage().contains("CUDA_ERROR_OUT_OF_MEMORY")) {
                return false;
            }
            throw e;
        }
    }

    /** Returns a block of the size it was allocated with to its bucket's free list. */
    synchronized void release(CUdeviceptr p, long bytes) {
        long size = bucket(bytes);
        free.computeIfAbsent(size, k -> new ArrayDeque<>()).push(p);
        inUse -= size;
        cached += size;
    }

    /** Frees every cached block (after the stream has finished with them). */
    synchronized void emptyCache() {
        context.sync();
        for (ArrayDeque<CUdeviceptr> list : free.values()) {
            for (CUdeviceptr p : list) {
                cuMemFree(p);
            }
        }
        free.clear();
        cached = 0;
    }

    synchronized long bytesInUse() {
        return inUse;
    }

    /** The most bytes in use at once so far. */
    synchronized long bytesPeak() {
        return peak;
    }

    synchronized long bytesCached() {
        return cached;
    }
}
