package dev.kora4j.data;

import dev.kora4j.tensor.Tensor;

/**
 * An RGB image as three float planes, [3, height, width] in row-major CHW order: the layout a
 * batch tensor wants, so a batch is filled by plain copies. Decoded images hold values in [0, 1];
 * after normalisation they hold whatever the transform made of them.
 */
public record Image(int height, int width, float[] data) {
    public static final int CHANNELS = 3;

    public Image {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("an image needs a positive size, got " + height + "x" + width);
        }
        if (data.length != (long) CHANNELS * height * width) {
            throw new IllegalArgumentException(
                    "an image of " + height + "x" + width + " needs " + CHANNELS * height * width + " values, got " + data.length);
        }
    }

    /** A black image, to be filled in. */
    public static Image blank(int height, int width) {
        return new Image(height, width, new float[CHANNELS * height * width]);
    }

    /** The value of channel c at row y, column x. */
    public float get(int c, int y, int x) {
        return data[(c * height + y) * width + x];
    }

    /** Wraps (does not copy) the pixels as a [3, H, W] F32 tensor. */
    public Tensor toTensor() {
        return Tensor.of(data, CHANNELS, height, width);
    }
}
