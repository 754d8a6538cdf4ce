package dev.kora4j.backend.cuda;

import dev.kora4j.backend.BinaryOp;
import dev.kora4j.backend.UnaryOp;

/**
 * The codes by which kernels/elementwise.cu knows the elementwise ops: the position in the tables,
 * which kernels/unary_ops.def and binary_ops.def list in the same order (CudaBuildTest checks it).
 */
final class CudaOps {
    private CudaOps() {}

    static int code(UnaryOp op) {
        return op.ordinal();
    }

    static int code(BinaryOp op) {
        return op.ordinal();
    }
}
