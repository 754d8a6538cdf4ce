package dev.kora4j.ops;

/**
 * The per-axis weights of antialiased resampling as PIL computes them (and PyTorch's
 * {@code F.interpolate(..., align_corners=False, antialias=True)}, built to match PIL): output index i
 * covers input coordinates around (i + 0.5)·s with s = in/out, the filter is stretched by max(s, 1)
 * (shrinking averages every input it covers, enlarging interpolates), taps outside the input are
 * dropped and the rest renormalised. Images ({@code data.PilResize}) and position embeddings
 * ({@code nn.PosEmbedResample}) are resized with these weights, one axis after the other.
 */
public final class Resampling {
    private Resampling() {}

    /** Bilinear is the triangle filter (support 1); bicubic is Keys' cubic with a = −0.5 (support 2), PIL's choice. */
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

    /** For each output index: the first input index, the number of taps, and the normalised weights (stride apart). */
    public record Taps(int[] start, int[] count, double[] weights, int stride) {}

    public static Taps taps(int in, int out, Filter filter) {
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
}
