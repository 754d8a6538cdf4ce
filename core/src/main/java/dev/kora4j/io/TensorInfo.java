package dev.kora4j.io;

import java.util.Arrays;

/**
 * One tensor entry of a validated header. {@code begin} and {@code end} are byte offsets relative
 * to the start of the data section (as in the file), {@code end} exclusive. Dimensions are longs
 * because the format allows dimensions beyond what a Java array can hold.
 */
public record TensorInfo(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {
    public TensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of bytes in the file: end − begin (validated to equal numel × element size). */
    public long byteSize() {
        return end - begin;
    }

    /** Number of elements: the product of the shape (1 for a scalar); validated not to overflow. */
    public long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** The shape as {@code [d0,d1,...]}, {@code []} for a scalar. */
    public String shapeString() {
        return Arrays.toString(shape).replace(" ", "");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorInfo t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
                && begin == t.begin && end == t.end;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + shapeString() + " bytes [" + begin + "," + end + ")";
    }
}
