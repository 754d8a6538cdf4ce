// The one translation unit nvcc compiles into kora.fatbin: every kernel file, included once.
// Kernels are extern "C" so that the host finds them by their plain names.
#include "elementwise.cu"
#include "reduce.cu"
#include "softmax.cu"
#include "layernorm.cu"
#include "attention.cu"
#include "kora.cu"
#include "adamw.cu"
#include "gemm.cu"
