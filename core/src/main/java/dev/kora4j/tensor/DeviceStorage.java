package dev.kora4j.tensor;

/**
 * Storage outside the Java heap (a GPU's memory). Element access by index works but costs a
 * transfer each, so data moves in bulk through {@link #write} and {@link #read}.
 */
public interface DeviceStorage extends Storage {
    /** The device whose memory holds the elements. */
    Device device();

    /** Copies {@code values} into elements [0, values.length). */
    void write(float[] values);

    /** All elements, copied to the heap. */
    float[] read();
}
