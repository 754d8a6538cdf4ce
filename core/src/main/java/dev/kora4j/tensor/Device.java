package dev.kora4j.tensor;

import java.util.Locale;

/** Where a tensor's data lives and which backend computes on it. */
public enum Device {
    /** Plain loops accumulating in double: slow, simple, the oracle every other backend is tested against. */
    REFERENCE,
    /** Vector API kernels on the heap, multithreaded. */
    CPU,
    /** An NVIDIA GPU through JCuda. */
    CUDA;

    /** Whether tensors on this device keep their elements in Java heap arrays. */
    public boolean onHeap() {
        return this != CUDA;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses "cpu", "reference" or "cuda" (as the CLI's --device takes them). */
    public static Device parse(String name) {
        for (Device d : values()) {
            if (d.label().equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown device '" + name + "' (expected cpu, reference or cuda)");
    }

    @Override
    public String toString() {
        return label();
    }
}
