// Codes of the elementwise ops. The Java side (CudaOps) uses the same numbers; a test compares them.
#pragma once

#define OP_NEG 0
#define OP_ADD_SCALAR 1
#define OP_MUL_SCALAR 2
#define OP_EXP 3
#define OP_LOG 4
#define OP_SQRT 5
#define OP_TANH 6
#define OP_RELU 7
#define OP_POW 8
#define OP_GELU 9
#define OP_GELU_TANH 10

#define BOP_ADD 0
#define BOP_SUB 1
#define BOP_MUL 2
#define BOP_DIV 3
