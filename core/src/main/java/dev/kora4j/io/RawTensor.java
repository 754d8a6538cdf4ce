package dev.kora4j.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor as the file stores it: a dtype, a shape and its little-endian bytes. It lets callers
 * write dtypes that {@link dev.kora4j.tensor.Tensor} does not have (integer labels, F16, ...) and
 * copy tensors of any dtype from one file to another unchanged.
 */
public record RawTensor(SafetensorsDtype dtype, long[] shape, byte[] data) {
    public RawTensor {
        shape = shape.clone();
        long bits = dtype.bits();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            bits = Math.multiplyExact(bits, d);
        }
        if (bits % 8 != 0 || bits / 8 != data.length) {
            throw new IllegalArgumentException(dtype + " " + Arrays.toString(shape) + " needs " + bits + " bits, got "
                    + data.length + " bytes");
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** An I64 tensor, e.g. class labels as PyTorch stores them. */
    public static RawTensor ofLongs(long[] values, long... shape) {
        ByteBuffer bytes = ByteBuffer.allocate(Math.multiplyExact(values.length, 8)).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(values);
        return new RawTensor(SafetensorsDtype.I64, shape, bytes.array());
    }

    /** An I32 tensor. */
    public static RawTensor ofInts(int[] values, long... shape) {
        ByteBuffer bytes = ByteBuffer.allocate(Math.multiplyExact(values.length, 4)).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asIntBuffer().put(values);
        return new RawTensor(SafetensorsDtype.I32, shape, bytes.array());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawTensor r && dtype == r.dtype && Arrays.equals(shape, r.shape) && Arrays.equals(data, r.data);
    }

    @Override
    public int hashCode() {
        return (dtype.hashCode() * 31 + Arrays.hashCode(shape)) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "RawTensor[" + dtype + " " + Arrays.toString(shape).replace(" ", "") + ", " + data.length + " bytes]";
    }
}
