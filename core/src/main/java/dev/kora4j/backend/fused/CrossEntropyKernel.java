package dev.kora4j.backend.fused;

import dev.kora4j.tensor.Tensor;

/** Cross-entropy against integer labels in one pass each way; owned by {@code ops.CrossEntropy}. */
public interface CrossEntropyKernel {
    /**
     * Cross-entropy of each row of logits [rows, C] against integer labels, with label smoothing ε
     * (target (1−ε)·onehot + ε/C): writes the row losses [rows] and the softmax probabilities.
     */
    void crossEntropy(Tensor logits, int[] labels, double smoothing, Tensor rowLoss, Tensor probs);

    /** dlogits ← scale · (probs − target) for each row, the target as in {@link #crossEntropy}. */
    void crossEntropyBackward(Tensor probs, int[] labels, double smoothing, double scale, Tensor dlogits);
}
