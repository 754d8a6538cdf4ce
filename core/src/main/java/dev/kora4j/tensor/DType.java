package dev.kora4j.tensor;

/** Element types. F32 is what models train in; F64 serves gradchecks and the reference path. */
public enum DType {
    F32(4),
    F64(8);

    private final int bytes;

    DType(int bytes) {
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }
}
