package dev.kora4j.backend.cuda;

import jcuda.driver.CUdeviceptr;

/**
 * Scratch memory for one op (partial sums, a contiguous copy of a strided input), from the caching
 * allocator. Closing it right after the launches that use it is safe: later work on the same
 * stream cannot overtake them.
 */
record DeviceBuffer(CudaAllocator allocator, CUdeviceptr pointer, long bytes) implements AutoCloseable {
    static DeviceBuffer floats(CudaContext context, long count) {
        long bytes = Math.max(1, count) * Float.BYTES;
        return new DeviceBuffer(context.allocator, context.allocator.allocate(bytes), bytes);
    }

    CUdeviceptr at(long element) {
        return pointer.withByteOffset(element * Float.BYTES);
    }

    @Override
    public void close() {
        allocator.release(pointer, bytes);
    }
}
