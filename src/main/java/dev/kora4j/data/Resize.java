package dev.kora4j.data;

import dev.kora4j.ops.Resampling;

/**
 * Image resizing with PIL's resampling algorithm ({@link Resampling}), computed in floating point:
 * the result equals PyTorch's {@code F.interpolate(x, size, mode=..., align_corners=False,
 * antialias=True)} on the [0, 1] float image, and PIL's {@code Image.resize} on 8-bit images up to
 * PIL's rounding to 8 bits and clipping to [0, 255]. Bicubic can overshoot [0, 1] near edges. Rows
 * are resized first, then columns, as PIL does.
 */
public final class Resize {
    private Resize() {}

    /** The image resized to height × width. */
    public static Image resize(Image image, int height, int width, Resampling.Filter filter) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("resize needs a positive size, got " + height + "x" + width);
        }
        Image out = image;
        if (width != image.width()) {
            out = horizontal(out, Resampling.taps(image.width(), width, filter));
        }
        if (height != image.height()) {
            out = vertical(out, Resampling.taps(image.height(), height, filter));
        }
        return out == image ? new Image(image.height(), image.width(), image.data().clone()) : out;
    }

    /**
     * Resized so that the shorter side is {@code size}, keeping the aspect ratio; the longer side is
     * size·long/short rounded down, as torchvision's Resize(int) computes it.
     */
    public static Image resizeShortSide(Image image, int size, Resampling.Filter filter) {
        int h = image.height();
        int w = image.width();
        if (h <= w) {
            return resize(image, size, (int) ((long) size * w / h), filter);
        }
        return resize(image, (int) ((long) size * h / w), size, filter);
    }

    private static Image horizontal(Image in, Resampling.Taps t) {
        int h = in.height();
        int win = in.width();
        int wout = t.start().length;
        float[] src = in.data();
        float[] dst = new float[Image.CHANNELS * h * wout];
        for (int row = 0; row < Image.CHANNELS * h; row++) {
            int s = row * win;
            int d = row * wout;
            for (int x = 0; x < wout; x++) {
                int base = x * t.stride();
                int lo = s + t.start()[x];
                double acc = 0.0;
                for (int k = 0, n = t.count()[x]; k < n; k++) {
                    acc += t.weights()[base + k] * src[lo + k];
                }
                dst[d + x] = (float) acc;
            }
        }
        return new Image(h, wout, dst);
    }

    private static Image vertical(Image in, Resampling.Taps t) {
        int hin = in.height();
        int w = in.width();
        int hout = t.start().length;
        float[] src = in.data();
        float[] dst = new float[Image.CHANNELS * hout * w];
        double[] acc = new double[w];
        for (int c = 0; c < Image.CHANNELS; c++) {
            for (int y = 0; y < hout; y++) {
                java.util.Arrays.fill(acc, 0.0);
                int base = y * t.stride();
                for (int k = 0, n = t.count()[y]; k < n; k++) {
                    double wt = t.weights()[base + k];
                    int s = (c * hin + t.start()[y] + k) * w;
                    for (int x = 0; x < w; x++) {
                        acc[x] += wt * src[s + x];
                    }
                }
                int d = (c * hout + y) * w;
                for (int x = 0; x < w; x++) {
                    dst[d + x] = (float) acc[x];
                }
            }
        }
        return new Image(hout, w, dst);
    }
}
