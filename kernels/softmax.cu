// Softmax and log-softmax over the last dim of contiguous rows, forward and backward, and
// cross-entropy with label smoothing (which is a log-softmax plus a dot with the target).
// One block per row.
#include "common.cuh"

extern "C" __global__ void softmax_forward(const float *x, float *out, int rows, int cols, int log_softmax) {
    __shared__ float scratch[32];
    int r = blockIdx.x;
    if (r >= rows) return;
    const float *xr = x + (long) r * cols;
    float *yr = out + (long) r * cols;
    float mx = -INFINITY;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) mx = fmaxf(mx, xr[j]);
    mx = block_max(mx, scratch);
    float sum = 0.f;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) sum += expf(xr[j] - mx);
    sum = block_sum(sum, scratch);
    float log_sum = logf(sum);
    for (int j = threadIdx.x; j < cols; j += blockDim.x)
        yr[j] = log_softmax ? xr[j] - mx - log_sum : expf(xr[j] - mx) / sum;
}

// softmax: dx = y·(g − Σ g·y); log-softmax: dx = g − exp(y)·Σ g.
extern "C" __global__ void softmax_backward(const float *y, const float *gy, float *dx, int rows, int cols, int log_softmax) {
    __shared__ float scratch[32];
    int r = blockIdx.x;
    if (r >= rows) return;
    const float *yr = y + (long) r * cols, *gr = gy + (long) r * cols;
    float *dr = dx + (long) r * cols;
    float dot = 0.f;
    for (int j = threadIdx.x; j < cols; j += blockDim.x) dot += log_softmax ? gr[j] : gr[j] * yr[j];
    dot = block_sum(dot, scratch);
    for (int j = threadIdx.x; j < cols; j += blockDim.x)
        dr[j] = log_softmax ? gr[j] - expf(yr[j]) * dot : yr[j] * (gr[j] - dot);
}

// The smoothed one-hot target (1−ε)·[j = label] + ε/C.
__device__ __forceinline__ float ce_target(int j, int label, float eps, int classes) {
    return (j == label ? 1.f - eps : 0.f) + eps / classes;
}

// row_loss[r] = −Σ_j target_j · log p_j and probs[r] = softmax(logits[r]).
extern "C" __global__ void cross_entropy_forward(const float *logits, const int *labels, float eps,
                                                 float *row_loss, float *probs, int rows, int classes) {
    __shared__ float scratch[32];
    int r = blockIdx.x;
    if (r >= rows) return;
    const float *xr = logits + (long) r * classes;
    float *pr = probs + (long) r * classes;
    int label = labels[r];
    float mx = -INFINITY;
    for (int j = threadIdx.x; j < classes; j += blockDim.x) mx = fmaxf(mx, xr[j]);
    mx = block_max(mx, scratch);
    float sum = 0.f;
    for (int j = threadIdx.x; j < classes; j += blockDim.x) sum += expf(xr[j] - mx);
    sum = block_sum(sum, scratch);
    float log_sum = logf(sum), loss = 0.f;
    for (int j = threadIdx.x; j < classes; j += blockDim.x) {
        float logp = xr[j] - mx - log_sum;
        loss -= ce_target(j, label, eps, classes) * logp;
        pr[j] = expf(logp);
    }
    loss = block_sum(loss, scratch);
    if (threadIdx.x == 0) row_loss[r] = loss;
}

// dlogits = scale · (probs − target), one thread per element.
extern "C" __global__ void cross_entropy_backward(const float *probs, const int *labels, float eps, float scale,
                                                  float *dlogits, int rows, int classes) {
    long n = (long) rows * classes;
    for (long i = blockIdx.x * (long) blockDim.x + threadIdx.x; i < n; i += (long) gridDim.x * blockDim.x) {
        int r = (int) (i / classes), j = (int) (i % classes);
        dlogits[i] = scale * (probs[i] - ce_target(j, labels[r], eps, classes));
    }
}
