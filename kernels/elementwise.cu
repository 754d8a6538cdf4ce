// Elementwise kernels: copy, unary map and its backward, binary zip. Every operand is a strided
// view (Layout), so broadcasts (stride 0) and transposes need no copy first. One thread per element
// of a grid-stride loop.
#include "common.cuh"
#include "ops.h"

// The switches below are written by the tables: one case per line of unary_ops.def / binary_ops.def.
__device__ float unary(int op, float x, float p) {
    switch (op) {
#define UNARY(name, f, df) case OP_##name: return (f);
#include "unary_ops.def"
#undef UNARY
    }
    return __int_as_float(0x7fc00000);  // unknown op: NaN, never silently zero
}

// d op / dx at x, where y = op(x); rules read whichever of x and y they need (the other may be absent).
__device__ float unary_grad(int op, float x, float y, float p) {
    switch (op) {
#define UNARY(name, f, df) case OP_##name: return (df);
#include "unary_ops.def"
#undef UNARY
    }
    return __int_as_float(0x7fc00000);
}

__device__ float binary(int op, float a, float b) {
    switch (op) {
#define BINARY(name, f) case BOP_##name: return (f);
#include "binary_ops.def"
#undef BINARY
    }
    return __int_as_float(0x7fc00000);
}

extern "C" __global__ void copy_strided(const float *src, Layout ls, float *dst, Layout ld, long n) {
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < n; i += (long) gridDim.x * blockDim.x)
        dst[layout_offset(ld, i)] = src[layout_offset(ls, i)];
}

extern "C" __global__ void fill(float *dst, float value, long n) {
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < n; i += (long) gridDim.x * blockDim.x)
        dst[i] = value;
}

extern "C" __global__ void map_forward(int op, float p, const float *x, Layout lx, float *out, Layout lo, long n) {
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < n; i += (long) gridDim.x * blockDim.x)
        out[layout_offset(lo, i)] = unary(op, x[layout_offset(lx, i)], p);
}

// dx = grad · op'(x, y); x or y may be null when the op's rule does not read it.
extern "C" __global__ void map_backward(int op, float p, const float *x, Layout lx, const float *y, Layout ly,
                                        const float *grad, Layout lg, float *dx, Layout ld, long n) {
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < n; i += (long) gridDim.x * blockDim.x) {
        float xv = x ? x[layout_offset(lx, i)] : __int_as_float(0x7fc00000);
        float yv = y ? y[layout_offset(ly, i)] : __int_as_float(0x7fc00000);
        dx[layout_offset(ld, i)] = grad[layout_offset(lg, i)] * unary_grad(op, xv, yv, p);
    }
}

// A linear layer's epilogue in one pass over its product y [rows, n] (LinearEpilogue): v = y + bias,
// with GELU pre = v and v = GELU(v), then out = v + residual; bias, residual may be null, y is pre
// with GELU and out without. The same float operations in the same order as separate passes.
extern "C" __global__ void linear_epilogue(float *y, const float *bias, int gelu_on, float *out, const float *residual,
                                           long count, int n) {
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < count; i += (long) gridDim.x * blockDim.x) {
        float v = bias ? y[i] + bias[i % n] : y[i];
        if (gelu_on) {
            y[i] = v;
            v = gelu(v);
        }
        out[i] = residual ? v + residual[i] : v;
    }
}

// Dropout's mask (backend/DropoutMask.java, the same steps): element i is 0 when
// u_i = (splitmix64(key + (i + 1)·φ) >> 11)·2⁻⁵³ < p, else keep_scale. Integer arithmetic, and u_i
// compared in double, so every device draws the cpu's mask.
extern "C" __global__ void dropout_mask(float *mask, long n, unsigned long long key, double p, float keep_scale) {
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < n; i += (long) gridDim.x * blockDim.x) {
        unsigned long long z = key + (unsigned long long) (i + 1) * 0x9E3779B97F4A7C15ull;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        double u = (double) (z >> 11) * 0x1.0p-53;
        mask[i] = u < p ? 0.f : keep_scale;
    }
}

// out = a op b; out may alias a (in-place accumulation), since each element is read before it is written.
extern "C" __global__ void zip(int op, const float *a, Layout la, const float *b, Layout lb, float *out, Layout lo, long n) {
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < n; i += (long) gridDim.x * blockDim.x)
        out[layout_offset(lo, i)] = binary(op, a[layout_offset(la, i)], b[layout_offset(lb, i)]);
}
