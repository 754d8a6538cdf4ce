package dev.kora4j.data;

import dev.kora4j.ops.Resampling;

/**
 * Image resizing exactly as PIL's {@code Image.resize} does it on 8-bit images, which is what timm's
 * and the seed notebook's transforms resize (torchvision hands PIL images to PIL). The weights are
 * {@link Resampling#taps} (PIL's antialiased filters) in fixed point with 22 fraction bits; each pass
 * adds in integers, then rounds and clips to 8 bits; rows are resized first, then columns. Values are
 * read as 8-bit levels, round(v·255) (a decoded image's own bytes), and come back as level / 255f,
 * as ToTensor makes them. So a preset's output has the bits of timm's own transform
 * (PreprocessGoldenTest).
 */
public final class PilResize {
    /** PIL's: 8 bits of value and 2 of headroom for negative lobes leave 22 of fraction in an int. */
    private static final int FRACTION_BITS = 22;
    private static final int HALF = 1 << (FRACTION_BITS - 1);

    private PilResize() {}

    /** The image resized to height × width. */
    public static Image resize(Image image, int height, int width, Resampling.Filter filter) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("resize needs a positive size, got " + height + "x" + width);
        }
        int h = image.height(), w = image.width();
        int[] levels = levels(image.data());
        if (width != w) {
            levels = pass(levels, Image.CHANNELS * h, w, 1, width, 1, Resampling.taps(w, width, filter));
        }
        if (height != h) {
            levels = pass(levels, Image.CHANNELS, h, width, height, width, Resampling.taps(h, height, filter));
        }
        float[] out = new float[levels.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = levels[i] / 255f;
        }
        return new Image(height, width, out);
    }

    /**
     * Resized so that the shorter side is {@code size}, keeping the aspect ratio; the longer side is
     * size·long/short rounded down, as torchvision's Resize(int) computes it.
     */
    public static Image resizeShortSide(Image image, int size, Resampling.Filter filter) {
        int h = image.height(), w = image.width();
        return h <= w ? resize(image, size, (int) ((long) size * w / h), filter) : resize(image, (int) ((long) size * h / w), size, filter);
    }

    private static int[] levels(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (int) Math.min(255, Math.max(0, Math.round(values[i] * 255.0)));
        }
        return out;
    }

    /**
     * Resamples one axis: {@code outer} independent slices, each {@code in} samples {@code step}
     * apart along the axis (with {@code inner} contiguous lanes per sample), to {@code out} samples.
     * Rows: outer = channels·rows, step = inner = 1. Columns: outer = channels, step = inner = width.
     */
    private static int[] pass(int[] src, int outer, int in, int inner, int out, int step, Resampling.Taps taps) {
        int[] fixed = fixedPoint(taps.weights());
        int[] dst = new int[outer * out * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < out; i++) {
                int base = i * taps.stride();
                for (int lane = 0; lane < inner; lane++) {
                    int from = o * in * inner + taps.start()[i] * step + lane;
                    int sum = HALF; // rounds to nearest when the fraction is shifted out
                    for (int k = 0, n = taps.count()[i]; k < n; k++) {
                        sum += src[from + k * step] * fixed[base + k];
                    }
                    dst[(o * out + i) * inner + lane] = clip8(sum);
                }
            }
        }
        return dst;
    }

    /** Each weight in fixed point, rounded half away from zero as PIL does. */
    private static int[] fixedPoint(double[] weights) {
        int[] out = new int[weights.length];
        for (int i = 0; i < weights.length; i++) {
            double scaled = weights[i] * (1 << FRACTION_BITS);
            out[i] = (int) (scaled < 0 ? scaled - 0.5 : scaled + 0.5);
        }
        return out;
    }

    private static int clip8(int sum) {
        if (sum <= 0) {
            return 0;
        }
        return sum >= 256 << FRACTION_BITS ? 255 : sum >> FRACTION_BITS;
    }
}
