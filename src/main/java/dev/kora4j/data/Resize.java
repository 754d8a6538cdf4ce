package dev.kora4j.data;

/**
 * Image resizing with PIL's resampling algorithm, computed in floating point: the result equals
 * PyTorch's {@code F.interpolate(x, size, mode=..., align_corners=False, antialias=True)} on the
 * [0, 1] float image (PyTorch built that mode to match PIL), and PIL's {@code Image.resize} on
 * 8-bit images up to PIL's rounding to 8 bits and clipping to [0, 255].
 *
 * <p>Per axis, output pixel i covers input coordinates around its centre (i + 0.5)·s, s = in/out.
 * The filter is stretched by max(s, 1), so shrinking averages over every input pixel it covers
 * (antialiasing) and enlarging interpolates. Taps that fall outside the image are dropped and the
 * remaining weights are renormalised to sum to 1 (no edge padding). Bilinear is the triangle
 * filter (support 1); bicubic is Keys' cubic with a = −0.5 (support 2), PIL's choice, which can
 * overshoot [0, 1] near edges. Rows are resized first, then columns, as PIL does.
 */
public final class Resize {
    public enum Filter {
        BILINEAR(1.0) {
            @Override
            double weight(double x) {
                x = Math.abs(x);
                return x < 1.0 ? 1.0 - x : 0.0;
            }
        },
        BICUBIC(2.0) {
            @Override
            double weight(double x) {
                final double a = -0.5;
                x = Math.abs(x);
                if (x < 1.0) {
                    return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
                }
                if (x < 2.0) {
                    return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
                }
                return 0.0;
            }
        };

        final double support;

        Filter(double support) {
            this.support = support;
        }

        abstract double weight(double x);
    }

    private Resize() {}

    /** The image resized to height × width. */
    public static Image resize(Image image, int height, int width, Filter filter) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("resize needs a positive size, got " + height + "x" + width);
        }
        Image out = image;
        if (width != image.width()) {
            out = horizontal(out, taps(image.width(), width, filter));
        }
        if (height != image.height()) {
            out = vertical(out, taps(image.height(), height, filter));
        }
        return out == image ? new Image(image.height(), image.width(), image.data().clone()) : out;
    }

    /**
     * Resized so that the shorter side is {@code size}, keeping the aspect ratio; the longer side is
     * size·long/short rounded down, as torchvision's Resize(int) computes it.
     */
    public static Image resizeShortSide(Image image, int size, Filter filter) {
        int h = image.height();
        int w = image.width();
        if (h <= w) {
            return resize(image, size, (int) ((long) size * w / h), filter);
        }
        return resize(image, (int) ((long) size * h / w), size, filter);
    }

    /** For each output index: the first input index, the number of taps, and the normalised weights. */
    record Taps(int[] start, int[] count, double[] weights, int stride) {}

    static Taps taps(int in, int out, Filter filter) {
        double scale = (double) in / out;
        double filterScale = Math.max(scale, 1.0);
        double support = filter.support * filterScale;
        double inverse = 1.0 / filterScale;
        int stride = (int) Math.ceil(support) * 2 + 1;
        int[] start = new int[out];
        int[] count = new int[out];
        double[] weights = new double[out * stride];
        for (int i = 0; i < out; i++) {
            double center = (i + 0.5) * scale;
            // (int) truncates toward zero, as the C code does; negative values are clamped to 0 anyway.
            int lo = Math.max((int) (center - support + 0.5), 0);
            int hi = Math.min((int) (center + support + 0.5), in);
            int n = hi - lo;
            double sum = 0.0;
            for (int k = 0; k < n; k++) {
                double w = filter.weight((k + lo - center + 0.5) * inverse);
                weights[i * stride + k] = w;
                sum += w;
            }
            if (sum != 0.0) {
                for (int k = 0; k < n; k++) {
                    weights[i * stride + k] /= sum;
                }
            }
            start[i] = lo;
            count[i] = n;
        }
        return new Taps(start, count, weights, stride);
    }

    private static Image horizontal(Image in, Taps t) {
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

    private static Image vertical(Image in, Taps t) {
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
