package dev.kora4j.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Decodes the little-endian bytes of one tensor into Java arrays. The layouts are the unaligned
 * ones because a file written without header padding (older writers) puts tensors at any offset.
 */
final class ValueDecoder {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ValueDecoder() {}

    /** F32 as is; F16 and BF16 widened to F32 (exactly: every F16 and BF16 value is an F32 value). */
    static float[] floats(MemorySegment bytes, SafetensorsDtype dtype, int n) {
        float[] out = new float[n];
        switch (dtype) {
            case F32 -> MemorySegment.copy(bytes, F32, 0, out, 0, n);
            case F16 -> {
                short[] halves = shorts(bytes, n);
                for (int i = 0; i < n; i++) {
                    out[i] = Float.float16ToFloat(halves[i]);
                }
            }
            case BF16 -> {
                // BF16 is the upper half of an F32.
                short[] halves = shorts(bytes, n);
                for (int i = 0; i < n; i++) {
                    out[i] = Float.intBitsToFloat(halves[i] << 16);
                }
            }
            default -> throw new IllegalArgumentException("not a float dtype: " + dtype);
        }
        return out;
    }

    static double[] doubles(MemorySegment bytes, int n) {
        double[] out = new double[n];
        MemorySegment.copy(bytes, F64, 0, out, 0, n);
        return out;
    }

    /** I64 as is; I32 sign-extended; U8 zero-extended; BOOL as 0 or 1 (any non-zero byte is true). */
    static long[] longs(MemorySegment bytes, SafetensorsDtype dtype, int n) {
        long[] out = new long[n];
        switch (dtype) {
            case I64 -> MemorySegment.copy(bytes, I64, 0, out, 0, n);
            case I32 -> {
                int[] ints = new int[n];
                MemorySegment.copy(bytes, I32, 0, ints, 0, n);
                for (int i = 0; i < n; i++) {
                    out[i] = ints[i];
                }
            }
            case U8 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Byte.toUnsignedInt(bytes.get(ValueLayout.JAVA_BYTE, i));
                }
            }
            case BOOL -> {
                for (int i = 0; i < n; i++) {
                    out[i] = bytes.get(ValueLayout.JAVA_BYTE, i) != 0 ? 1 : 0;
                }
            }
            default -> throw new IllegalArgumentException("not an integer dtype: " + dtype);
        }
        return out;
    }

    private static short[] shorts(MemorySegment bytes, int n) {
        short[] out = new short[n];
        MemorySegment.copy(bytes, I16, 0, out, 0, n);
        return out;
    }
}
