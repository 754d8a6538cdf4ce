package dev.kora4j.nn;

import dev.kora4j.tensor.Tensor;

/**
 * Resizes a ViT position embedding to a new patch grid as timm's resample_abs_pos_embed does: the
 * class-token row is kept, the grid rows are resized with PyTorch's antialiased bicubic
 * interpolation (F.interpolate(mode='bicubic', antialias=True, align_corners=False)), separably.
 */
public final class PosEmbedResample {
    private PosEmbedResample() {}

    /** posEmbed [1, 1 + h·w, D] (a square grid) → [1, 1 + newH·newW, D]. */
    public static Tensor resample(Tensor posEmbed, int newH, int newW) {
        int tokens = posEmbed.size(1), d = posEmbed.size(2);
        int side = (int) Math.round(Math.sqrt(tokens - 1));
        if (side * side != tokens - 1) {
            throw new IllegalArgumentException("pos_embed of " + tokens + " tokens is not a class token plus a square grid");
        }
        double[] src = posEmbed.contiguous().toDoubleArray();
        double[][] rows = weights(side, newH), cols = weights(side, newW);
        int[] rowStart = starts(side, newH), colStart = starts(side, newW);
        double[] out = new double[(1 + newH * newW) * d];
        System.arraycopy(src, 0, out, 0, d);
        // first along the width, then along the height (PyTorch's order), in double
        double[] wide = new double[side * newW * d];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < newW; x++) {
                for (int k = 0; k < cols[x].length; k++) {
                    double w = cols[x][k];
                    int from = (1 + y * side + colStart[x] + k) * d, to = (y * newW + x) * d;
                    for (int c = 0; c < d; c++) {
                        wide[to + c] += w * src[from + c];
                    }
                }
            }
        }
        for (int y = 0; y < newH; y++) {
            for (int k = 0; k < rows[y].length; k++) {
                double w = rows[y][k];
                for (int x = 0; x < newW; x++) {
                    int from = ((rowStart[y] + k) * newW + x) * d, to = (1 + y * newW + x) * d;
                    for (int c = 0; c < d; c++) {
                        out[to + c] += w * wide[from + c];
                    }
                }
            }
        }
        float[] f = new float[out.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) out[i];
        }
        return Tensor.of(f, 1, 1 + newH * newW, d).to(posEmbed.device());
    }

    /** The cubic convolution kernel with a = −0.5 (the antialiased filter, as PIL's). */
    private static double cubic(double x) {
        final double a = -0.5;
        x = Math.abs(x);
        if (x < 1) {
            return ((a + 2) * x - (a + 3)) * x * x + 1;
        }
        if (x < 2) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0;
    }

    private static double support(int in, int out) {
        double scale = (double) in / out;
        return scale >= 1 ? 2 * scale : 2;
    }

    private static int[] starts(int in, int out) {
        double scale = (double) in / out, support = support(in, out);
        int[] s = new int[out];
        for (int i = 0; i < out; i++) {
            s[i] = Math.max((int) (scale * (i + 0.5) - support + 0.5), 0);
        }
        return s;
    }

    /** For each output index, the normalised filter weights over its input window. */
    private static double[][] weights(int in, int out) {
        double scale = (double) in / out, support = support(in, out);
        double invScale = scale >= 1 ? 1 / scale : 1;
        double[][] w = new double[out][];
        int[] start = starts(in, out);
        for (int i = 0; i < out; i++) {
            double center = scale * (i + 0.5);
            int end = Math.min((int) (center + support + 0.5), in);
            w[i] = new double[end - start[i]];
            double total = 0;
            for (int j = 0; j < w[i].length; j++) {
                w[i][j] = cubic((j + start[i] - center + 0.5) * invScale);
                total += w[i][j];
            }
            for (int j = 0; j < w[i].length && total != 0; j++) {
                w[i][j] /= total;
            }
        }
        return w;
    }
}
