package dev.kora4j.backend;

/**
 * Elementwise functions of two tensors (broadcast to one shape before a backend sees them). The CUDA
 * kernels take theirs from kernels/binary_ops.def, in this order (the ordinal is the op's code).
 */
public enum BinaryOp {
    ADD {
        public double apply(double a, double b) { return a + b; }
    },
    SUB {
        public double apply(double a, double b) { return a - b; }
    },
    MUL {
        public double apply(double a, double b) { return a * b; }
    },
    DIV {
        public double apply(double a, double b) { return a / b; }
    };

    public abstract double apply(double a, double b);
}
