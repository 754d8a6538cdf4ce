package dev.kora4j.backend;

/**
 * A device's memory is full even after its allocator gave back what it had cached: what was asked
 * for, what was in use, and what the device has, so that a caller can say what to lower.
 */
public final class DeviceMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String device;
    private final long inUse, capacity;

    public DeviceMemoryException(String device, long requested, long inUse, long capacity) {
        super(device + ": out of device memory allocating " + size(requested) + " (" + size(inUse) + " of " + size(capacity) + " in use)");
        this.device = device;
        this.inUse = inUse;
        this.capacity = capacity;
    }

    /** A size for people: "512 KiB", "3.2 MiB", "139.6 GiB". */
    public static String size(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        return (bytes >> 10) + " KiB";
    }

    /** The device, e.g. "cuda: NVIDIA H200". */
    public String device() {
        return device;
    }

    public long inUse() {
        return inUse;
    }

    public long capacity() {
        return capacity;
    }
}
