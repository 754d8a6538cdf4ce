package dev.kora4j.backend;

import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;

/**
 * Dropout's mask from a key, element by element: element i is dropped when
 * u_i = (splitmix64(key + (i + 1)·φ) >>> 11)·2⁻⁵³ is below p, else scaled by 1/(1 − p). Each element
 * needs only the key and its index, so a GPU thread computes its own, and integer arithmetic makes
 * every backend draw the same mask (kernels/elementwise.cu's dropout_mask is the same steps).
 */
public final class DropoutMask {
    /** φ = 2⁶⁴/golden ratio, splitmix64's increment. */
    public static final long STEP = 0x9E3779B97F4A7C15L;

    private DropoutMask() {}

    /** u_i in [0, 1) with 53 random bits. */
    public static double uniform(long key, long i) {
        return (Rng.splitmix(key + (i + 1) * STEP) >>> 11) * 0x1.0p-53;
    }

    /** Fills the contiguous tensor {@code mask}, on the heap, with 0 or 1/(1 − p). */
    public static void fill(long key, double p, Tensor mask) {
        double keepScale = 1 / (1 - p);
        for (int i = 0; i < mask.numel(); i++) {
            mask.storage().set(mask.offset() + i, uniform(key, i) < p ? 0 : keepScale);
        }
    }
}
