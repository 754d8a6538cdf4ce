// Codes of the elementwise ops: each op's position in unary_ops.def or binary_ops.def, which is
// its ordinal in the Java tables (UnaryOp, BinaryOp). Nothing is numbered by hand.
#pragma once

enum UnaryCode {
#define UNARY(name, f, df) OP_##name,
#include "unary_ops.def"
#undef UNARY
};

enum BinaryCode {
#define BINARY(name, f) BOP_##name,
#include "binary_ops.def"
#undef BINARY
};
