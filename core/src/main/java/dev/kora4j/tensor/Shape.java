package dev.kora4j.tensor;

import java.util.Arrays;

/** Arithmetic on shapes and strides, and the one error type for shape mismatches. */
public final class Shape {
    private Shape() {}

    public static int numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + format(shape));
            }
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + format(shape) + " has more than 2^31-1 elements");
            }
        }
        return (int) n;
    }

    public static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /** The shape two shapes broadcast to (NumPy rules), or an error naming the op and both shapes. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int rank = Math.max(a.length, b.length);
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            int db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw mismatch(op, a, b, "cannot be broadcast together");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Normalises a possibly negative dimension index against a rank. */
    public static int dim(String op, int dim, int rank) {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= rank) {
            throw new IllegalArgumentException(op + ": dimension " + dim + " is out of range for a tensor of rank " + rank);
        }
        return d;
    }

    public static ShapeMismatchException mismatch(String op, int[] a, int[] b, String why) {
        return new ShapeMismatchException(op + ": shapes " + format(a) + " and " + format(b) + " " + why);
    }

    public static String format(int[] shape) {
        return Arrays.toString(shape).replace(" ", "");
    }

    /** Thrown when an op gets shapes it cannot combine; the message names the op and the shapes. */
    public static final class ShapeMismatchException extends IllegalArgumentException {
        public ShapeMismatchException(String message) {
            super(message);
        }
    }
}
