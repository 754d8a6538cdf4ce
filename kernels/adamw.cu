// One AdamW step over every trainable tensor in one launch, with the cpu kernel's operations in the
// cpu kernel's order (PyTorch's: decay, lerp of m, addcmul of v, sqrt and divide, addcdiv). The _rn
// intrinsics are never fused into FMAs by the compiler, and sqrt and divide are IEEE-rounded, so
// each element gets the bits AdamWKernel gives it.
#include "common.cuh"

__device__ __forceinline__ void adamw_element(float *w, const float *g, float *m, float *v, long i,
                                              float decay, float beta2, float one_minus_beta1, float one_minus_beta2,
                                              float step_size, float bc2_sqrt, float eps) {
    float gi = g[i];
    float wi = __fmul_rn(w[i], decay);
    float mi = __fadd_rn(m[i], __fmul_rn(__fsub_rn(gi, m[i]), one_minus_beta1));               // m.lerp_(g, 1 − β1)
    float vi = __fadd_rn(__fmul_rn(v[i], beta2), __fmul_rn(__fmul_rn(one_minus_beta2, gi), gi)); // v·β2 + (1−β2)·g·g
    float denom = __fadd_rn(__fdiv_rn(__fsqrt_rn(vi), bc2_sqrt), eps);
    w[i] = __fadd_rn(wi, __fdiv_rn(__fmul_rn(-step_size, mi), denom));                         // addcdiv_, value = −stepSize
    m[i] = mi;
    v[i] = vi;
}

// tensors [count][4]: the device addresses of each tensor's w, g, m, v; starts [count + 1]: where
// each tensor begins in the concatenation of all of them (starts[count] = total). One thread per
// element of the concatenation, which finds its tensor by binary search.
extern "C" __global__ void adamw_step(const unsigned long long *tensors, const long *starts, int count, long total,
                                      float decay, float beta2, float one_minus_beta1, float one_minus_beta2,
                                      float step_size, float bc2_sqrt, float eps) {
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < total; i += (long) gridDim.x * blockDim.x) {
        int lo = 0, hi = count - 1;  // the last tensor whose start ≤ i
        while (lo < hi) {
            int mid = (lo + hi + 1) / 2;
            if (starts[mid] <= i) lo = mid; else hi = mid - 1;
        }
        const unsigned long long *t = tensors + 4L * lo;
        adamw_element((float *) t[0], (const float *) t[1], (float *) t[2], (float *) t[3], i - starts[lo],
                      decay, beta2, one_minus_beta1, one_minus_beta2, step_size, bc2_sqrt, eps);
    }
}
