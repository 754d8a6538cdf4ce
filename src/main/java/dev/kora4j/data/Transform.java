package dev.kora4j.data;

import dev.kora4j.tensor.Rng;

/**
 * One step of preprocessing on a [3, H, W] image. Random steps draw only from the Rng they are
 * given, in a fixed order, so the batch loader can give each image its own generator and get the
 * same augmentation whatever thread runs it. Implementations must not modify their input.
 */
@FunctionalInterface
public interface Transform {
    Image apply(Image image, Rng rng);

    /** This step, then the next one (with the same generator). */
    default Transform then(Transform next) {
        return (image, rng) -> next.apply(apply(image, rng), rng);
    }

    /** Leaves the image as it is. */
    static Transform identity() {
        return (image, rng) -> image;
    }
}
