package dev.kora4j.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kora4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class PredictionsTest {
    @Test
    void argmaxTakesTheFirstLargestAndNaNWins() {
        Tensor logits = Tensor.of(new float[] {0.1f, 2f, 2f, -1f, -3f, -2f, 1f, Float.NaN, 5f}, 3, 3);
        assertArrayEquals(new int[] {1, 0, 1}, Predictions.argmax(logits));
        assertArrayEquals(new int[] {2}, Predictions.argmax(new double[] {0, 1, 3}, 3));
        assertThrows(IllegalArgumentException.class, () -> Predictions.argmax(new double[] {0, 1, 3}, 2));
        assertThrows(IllegalArgumentException.class, () -> Predictions.argmax(Tensor.zeros(4)));
    }

    @Test
    void labelsMustBeClassIndices() {
        assertArrayEquals(new int[] {3, 0, 99}, Predictions.labels(Tensor.of(new float[] {3, 0, 99}, 3)));
        assertThrows(IllegalArgumentException.class, () -> Predictions.labels(Tensor.of(new float[] {1.5f}, 1)));
        assertThrows(IllegalArgumentException.class, () -> Predictions.labels(Tensor.of(new float[] {-1}, 1)));
        assertThrows(IllegalArgumentException.class, () -> Predictions.labels(Tensor.zeros(2, 2)));
    }
}
