package dev.kora4j.data;

import dev.kora4j.tensor.Tensor;

/**
 * One batch: images [B, 3, H, W] F32 (transformed), their labels, and which dataset items they are.
 * {@code epoch} and {@code index} say where it sits, so a run can record the position it resumes from.
 */
public record Batch(int epoch, int index, Tensor images, int[] labels, int[] items) {
    public int size() {
        return labels.length;
    }
}
