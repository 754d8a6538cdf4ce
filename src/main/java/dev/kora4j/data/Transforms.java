package dev.kora4j.data;

import dev.kora4j.ops.Resampling;

/** The preprocessing steps, as transforms and as plain functions on images. None modifies its input. */
public final class Transforms {
    private Transforms() {}

    /** Resize an 8-bit image to height × width as PIL does (torchvision's Resize((h, w)) on a PIL image; {@link PilResize}). */
    public static Transform resize(int height, int width, Resampling.Filter filter) {
        return (image, rng) -> PilResize.resize(image, height, width, filter);
    }

    /** Resize an 8-bit image so the shorter side is {@code size}, keeping the aspect ratio, as torchvision's Resize(int) on a PIL image. */
    public static Transform resizeShortSide(int size, Resampling.Filter filter) {
        return (image, rng) -> PilResize.resizeShortSide(image, size, filter);
    }

    /** The centred height × width window (torchvision's CenterCrop; zero padding where the image is smaller). */
    public static Transform centerCrop(int height, int width) {
        return (image, rng) -> centerCrop(image, height, width);
    }

    /**
     * A height × width window at a random position (uniform over all positions) of the image padded
     * with {@code padding} zero pixels on every side, as torchvision's RandomCrop(size, padding).
     * Draws the row offset, then the column offset.
     */
    public static Transform randomCrop(int height, int width, int padding) {
        if (padding < 0) {
            throw new IllegalArgumentException("padding must be ≥ 0, got " + padding);
        }
        return (image, rng) -> {
            int h = image.height() + 2 * padding;
            int w = image.width() + 2 * padding;
            if (height > h || width > w) {
                throw new IllegalArgumentException("random crop of " + height + "x" + width + " from a " + h + "x" + w + " (padded) image");
            }
            int top = rng.nextInt(h - height + 1);
            int left = rng.nextInt(w - width + 1);
            return crop(image, top - padding, left - padding, height, width);
        };
    }

    /** Mirrors left–right with probability p (one draw per image). */
    public static Transform horizontalFlip(double p) {
        return (image, rng) -> rng.nextDouble() < p ? flip(image) : image;
    }

    /** (x − mean[c]) / std[c] per channel, in float as torchvision's Normalize computes it. */
    public static Transform normalize(float[] mean, float[] std) {
        if (mean.length != Image.CHANNELS || std.length != Image.CHANNELS) {
            throw new IllegalArgumentException("normalize needs 3 means and 3 standard deviations");
        }
        for (float s : std) {
            if (!(s > 0f)) {
                throw new IllegalArgumentException("a standard deviation must be positive, got " + s);
            }
        }
        float[] m = mean.clone();
        float[] s = std.clone();
        return (image, rng) -> normalize(image, m, s);
    }

    /** torchvision's centre offset: round((size − crop) / 2), halves to even as Python's round does. */
    public static Image centerCrop(Image image, int height, int width) {
        return crop(image, centreOffset(image.height(), height), centreOffset(image.width(), width), height, width);
    }

    private static int centreOffset(int size, int crop) {
        if (crop <= size) {
            return (int) Math.rint((size - crop) / 2.0);
        }
        return -((crop - size) / 2); // torchvision pads (crop − size) // 2 on the top/left first
    }

    /** The height × width window whose top-left corner is (top, left); pixels outside the image are 0. */
    public static Image crop(Image image, int top, int left, int height, int width) {
        Image out = Image.blank(height, width);
        int h = image.height();
        int w = image.width();
        int x0 = Math.max(0, -left);
        int x1 = Math.min(width, w - left);
        if (x1 <= x0) {
            return out;
        }
        for (int c = 0; c < Image.CHANNELS; c++) {
            for (int y = 0; y < height; y++) {
                int sy = top + y;
                if (sy < 0 || sy >= h) {
                    continue;
                }
                System.arraycopy(image.data(), (c * h + sy) * w + left + x0, out.data(), (c * height + y) * width + x0, x1 - x0);
            }
        }
        return out;
    }

    /** Mirrored left–right. */
    public static Image flip(Image image) {
        int h = image.height();
        int w = image.width();
        float[] src = image.data();
        float[] dst = new float[src.length];
        for (int row = 0; row < Image.CHANNELS * h; row++) {
            int base = row * w;
            for (int x = 0; x < w; x++) {
                dst[base + x] = src[base + w - 1 - x];
            }
        }
        return new Image(h, w, dst);
    }

    public static Image normalize(Image image, float[] mean, float[] std) {
        int plane = image.height() * image.width();
        float[] src = image.data();
        float[] dst = new float[src.length];
        for (int c = 0; c < Image.CHANNELS; c++) {
            for (int i = c * plane, end = i + plane; i < end; i++) {
                dst[i] = (src[i] - mean[c]) / std[c];
            }
        }
        return new Image(image.height(), image.width(), dst);
    }
}
