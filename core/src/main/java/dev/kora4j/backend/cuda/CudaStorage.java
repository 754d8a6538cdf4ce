package dev.kora4j.backend.cuda;

import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;

import dev.kora4j.tensor.BufferPool;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.DeviceStorage;
import dev.kora4j.tensor.Storage;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * F32 elements in GPU memory, from the caching allocator. The block goes back to the allocator when
 * the buffer-pool step it was made in ends ({@link BufferPool#releaseAtStepEnd}), or, made outside
 * a step, when the storage becomes unreachable. Copies run on the context's stream, so they are
 * ordered with the kernels around them.
 */
final class CudaStorage implements DeviceStorage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaContext context;
    private final CUdeviceptr pointer;
    private final int size;
    private final Release release;

    /**
     * Gives the block back once, whichever of the step's end and the cleaner comes first; for a
     * lease of a block someone else owns (no allocator), only marks it ended.
     */
    private static final class Release implements Runnable {
        private final CudaAllocator allocator;
        private final CUdeviceptr pointer;
        private final long bytes;
        private final String ended;
        private final AtomicBoolean done = new AtomicBoolean();

        Release(CudaAllocator allocator, CUdeviceptr pointer, long bytes, String ended) {
            this.allocator = allocator;
            this.pointer = pointer;
            this.bytes = bytes;
            this.ended = ended;
        }

        @Override
        public void run() {
            if (done.compareAndSet(false, true) && allocator != null) {
                allocator.release(pointer, bytes);
            }
        }
    }

    CudaStorage(CudaContext context, int size, boolean zero) {
        this.context = context;
        this.size = size;
        long bytes = Math.max(1, (long) size) * Float.BYTES;
        this.pointer = context.allocator.allocate(bytes);
        this.release = new Release(context.allocator, pointer, bytes, "a tensor made in a buffer-pool step was used after the step ended");
        CLEANER.register(this, release); // the release holds no reference to this
        BufferPool.releaseAtStepEnd(release);
        if (zero && size > 0) {
            context.makeCurrent();
            cuMemsetD32Async(pointer, 0, size, context.stream());
        }
    }

    private CudaStorage(CudaContext context, CUdeviceptr pointer, int size, String ended) {
        this.context = context;
        this.pointer = pointer;
        this.size = size;
        this.release = new Release(null, pointer, 0, ended);
    }

    /**
     * The first {@code size} elements of {@code owner}'s block, usable until {@link #end()}: for a
     * buffer that is refilled, so that a tensor over its old contents cannot read the new ones.
     */
    static CudaStorage lease(CudaStorage owner, int size, String ended) {
        if (size > owner.size) {
            throw new IllegalArgumentException("cuda: a lease of " + size + " floats from a storage of " + owner.size);
        }
        return new CudaStorage(owner.context, owner.at(0), size, ended);
    }

    /** Ends this storage: a lease's tensors are refused from now on, an owner's block goes back. */
    void end() {
        release.run();
    }

    /** The device address of element {@code index}. */
    CUdeviceptr at(int index) {
        requireLive();
        return pointer.withByteOffset((long) index * Float.BYTES);
    }

    /** The same address as a number (for tables of tensors that a kernel reads). */
    long address(int index) {
        requireLive();
        return ((DeviceAddress) pointer).address() + (long) index * Float.BYTES;
    }

    private void requireLive() {
        if (release.done.get()) { // its block may already hold another tensor's elements
            throw new IllegalStateException("cuda: " + release.ended);
        }
    }

    @Override
    public Device device() {
        return Device.CUDA;
    }

    @Override
    public DType dtype() {
        return DType.F32;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public double get(int index) {
        checkIndex(index);
        float[] one = new float[1];
        context.copyToHost(Pointer.to(one), at(index), Float.BYTES);
        return one[0];
    }

    @Override
    public void set(int index, double value) {
        checkIndex(index);
        context.makeCurrent();
        cuMemcpyHtoDAsync(at(index), Pointer.to(new float[] {(float) value}), Float.BYTES, context.stream());
        context.sync();
    }

    @Override
    public void write(float[] values) {
        requireLive();
        if (values.length > size) {
            throw new IllegalArgumentException("cuda: writing " + values.length + " floats into a storage of " + size);
        }
        if (values.length > 0) {
            context.makeCurrent();
            cuMemcpyHtoDAsync(pointer, Pointer.to(values), (long) values.length * Float.BYTES, context.stream());
            context.sync();
        }
    }

    @Override
    public float[] read() {
        requireLive();
        float[] out = new float[size];
        if (size > 0) {
            context.copyToHost(Pointer.to(out), pointer, (long) size * Float.BYTES);
        }
        return out;
    }

    @Override
    public Storage allocateLike(int n) {
        return new CudaStorage(context, n, true);
    }

    private void checkIndex(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("cuda storage index " + index + " outside [0, " + size + ")");
        }
    }
}
