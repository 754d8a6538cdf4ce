package dev.kora4j.backend.cuda;

import dev.kora4j.backend.BinaryOp;
import dev.kora4j.backend.UnaryOp;

/** The codes by which kernels/elementwise.cu knows the elementwise ops (kernels/ops.h; a test checks they agree). */
final class CudaOps {
    private CudaOps() {}

    static int code(UnaryOp op) {
        return switch (op) {
            case NEG -> 0;
            case ADD_SCALAR -> 1;
            case MUL_SCALAR -> 2;
            case EXP -> 3;
            case LOG -> 4;
            case SQRT -> 5;
            case TANH -> 6;
            case RELU -> 7;
            case POW -> 8;
            case GELU -> 9;
            case GELU_TANH -> 10;
        };
    }

    static int code(BinaryOp op) {
        return switch (op) {
            case ADD -> 0;
            case SUB -> 1;
            case MUL -> 2;
            case DIV -> 3;
        };
    }
}
