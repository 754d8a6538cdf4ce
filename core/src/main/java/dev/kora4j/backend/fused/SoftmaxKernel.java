package dev.kora4j.backend.fused;

import dev.kora4j.tensor.Tensor;

/** Softmax and log-softmax over the last dim in one pass each way; owned by {@code ops.Softmax}. */
public interface SoftmaxKernel {
    /** out ← softmax (or log-softmax) of each row of a contiguous x. */
    void softmax(Tensor x, Tensor out, boolean log);

    /** dx from y = softmax(x) (or log-softmax) and the gradient gy, over the last dim. */
    void softmaxBackward(Tensor y, Tensor gy, Tensor dx, boolean log);
}
