package dev.kora4j.backend.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;

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
    private long inUse, cached;

    CudaAllocator(CudaContext context) {
        this.context = context;
    }

    static long bucket(long bytes) {
        long unit = bytes < SMALL_LIMIT ? SMALL : LARGE;
        return Math.max(unit, (bytes + unit - 1) / unit * unit);
    }

    /** A block of at least {@code bytes}; its contents are whatever the last user left. */
    synchronized CUdeviceptr allocate(long bytes) {
        long size = bucket(bytes);
        ArrayDeque<CUdeviceptr> list = free.get(size);
        CUdeviceptr p = list == null ? null : list.poll();
        if (p != null) {
            cached -= size;
        } else {
            p = new CUdeviceptr();
            context.makeCurrent();
            try {
                cuMemAlloc(p, size);
            } catch (CudaException outOfMemory) {
                emptyCache(); // give the cached blocks back to the driver and try once more
                try {
                    cuMemAlloc(p, size);
                } catch (CudaException e) {
                    throw new CudaException("cuda: out of device memory allocating " + size + " bytes (" + inUse + " in use): " + e.getMessage(), e);
                }
            }
        }
        if (poison) { // tests: every block starts as NaN, so an output a kernel forgets to write shows
            cuMemsetD32Async(p, Float.floatToRawIntBits(Float.NaN), size / Float.BYTES, context.stream());
        }
        inUse += size;
        return p;
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

    synchronized long bytesCached() {
        return cached;
    }
}
