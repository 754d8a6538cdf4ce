// One AdamW step over a flat buffer of parameters (all trainable tensors laid end to end), with the
// cpu kernel's operations in the cpu kernel's order (PyTorch's: decay, lerp of m, addcmul of v,
// sqrt and divide, addcdiv). The _rn intrinsics are never fused into FMAs by the compiler, and
// sqrt and divide are IEEE-rounded, so each element gets the bits AdamWKernel gives it.
#include "common.cuh"

extern "C" __global__ void adamw_step(float *w, const float *g, float *m, float *v, long n,
                                      float decay, float beta2, float one_minus_beta1, float one_minus_beta2,
                                      float step_size, float bc2_sqrt, float eps) {
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < n; i += (long) gridDim.x * blockDim.x) {
        float gi = g[i];
        float wi = __fmul_rn(w[i], decay);
        float mi = __fadd_rn(m[i], __fmul_rn(__fsub_rn(gi, m[i]), one_minus_beta1));               // m.lerp_(g, 1 − β1)
        float vi = __fadd_rn(__fmul_rn(v[i], beta2), __fmul_rn(__fmul_rn(one_minus_beta2, gi), gi)); // v·β2 + (1−β2)·g·g
        float denom = __fadd_rn(__fdiv_rn(__fsqrt_rn(vi), bc2_sqrt), eps);
        w[i] = __fadd_rn(wi, __fdiv_rn(__fmul_rn(-step_size, mi), denom));                         // addcdiv_, value = −stepSize
        m[i] = mi;
        v[i] = vi;
    }
}
