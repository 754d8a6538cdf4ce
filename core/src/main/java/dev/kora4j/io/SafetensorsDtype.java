package dev.kora4j.io;

/**
 * The element types a safetensors header may name, with their widths in bits.
 *
 * <p>Declared in the same order as the reference implementation's {@code Dtype} enum, which is
 * increasing alignment: the writer sorts tensors by this order, descending, so that every tensor
 * lands naturally aligned. Names must match exactly; anything else is an unknown dtype.
 */
public enum SafetensorsDtype {
    BOOL(8),
    F4(4),
    F6_E2M3(6),
    F6_E3M2(6),
    U8(8),
    I8(8),
    F8_E5M2(8),
    F8_E4M3(8),
    F8_E8M0(8),
    F8_E4M3FNUZ(8),
    F8_E5M2FNUZ(8),
    I16(16),
    U16(16),
    F16(16),
    BF16(16),
    I32(32),
    U32(32),
    F32(32),
    C64(64),
    F64(64),
    I64(64),
    U64(64);

    private final int bits;

    SafetensorsDtype(int bits) {
        this.bits = bits;
    }

    /** Width of one element in bits (4 and 6 for the packed float formats). */
    public int bits() {
        return bits;
    }

    /** The dtype with exactly this name, or null when the name is not a safetensors dtype. */
    public static SafetensorsDtype byName(String name) {
        for (SafetensorsDtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }
}
