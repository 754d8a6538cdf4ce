package dev.kora4j.backend.cuda;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;

import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.DeviceStorage;
import dev.kora4j.tensor.Storage;
import java.lang.ref.Cleaner;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;

/**
 * F32 elements in GPU memory, from the caching allocator; the block goes back to the allocator
 * when the storage becomes unreachable. Copies run on the context's stream, so they are ordered
 * with the kernels around them.
 */
final class CudaStorage implements DeviceStorage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final CudaContext context;
    private final CUdeviceptr pointer;
    private final int size;

    CudaStorage(CudaContext context, int size, boolean zero) {
        this.context = context;
        this.size = size;
        long bytes = Math.max(1, (long) size) * Float.BYTES;
        this.pointer = context.allocator.allocate(bytes);
        CUdeviceptr p = pointer;
        CudaAllocator allocator = context.allocator;
        CLEANER.register(this, () -> allocator.release(p, bytes)); // captures no reference to this
        if (zero && size > 0) {
            context.makeCurrent();
            cuMemsetD32Async(pointer, 0, size, context.stream());
        }
    }

    /** The device address of element {@code index}. */
    CUdeviceptr at(int index) {
        return pointer.withByteOffset((long) index * Float.BYTES);
    }

    /** The same address as a number (for tables of tensors that a kernel reads). */
    long address(int index) {
        return ((DeviceAddress) pointer).address() + (long) index * Float.BYTES;
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
        context.makeCurrent();
        cuMemcpyDtoHAsync(Pointer.to(one), at(index), Float.BYTES, context.stream());
        context.sync();
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
        float[] out = new float[size];
        if (size > 0) {
            context.makeCurrent();
            cuMemcpyDtoHAsync(Pointer.to(out), pointer, (long) size * Float.BYTES, context.stream());
            context.sync();
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
