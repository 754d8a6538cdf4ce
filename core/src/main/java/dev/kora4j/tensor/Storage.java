package dev.kora4j.tensor;

/**
 * The flat memory behind one or more tensors. Heap storages expose their arrays to the kernels;
 * element access by index serves the reference backend and tests.
 */
public interface Storage {
    DType dtype();

    int size();

    double get(int index);

    void set(int index, double value);

    /** A new zero-filled storage of the same kind. */
    Storage allocateLike(int size);

    /** A zero-filled storage on {@code device}: a heap array, or the device's own memory. */
    static Storage allocate(DType dtype, Device device, int size) {
        return device.onHeap() ? allocate(dtype, size) : DeviceStorageFactory.of(device).allocate(dtype, size, true);
    }

    static Storage allocate(DType dtype, int size) {
        return switch (dtype) {
            case F32 -> new FloatStorage(new float[size]);
            case F64 -> new DoubleStorage(new double[size]);
        };
    }
}
