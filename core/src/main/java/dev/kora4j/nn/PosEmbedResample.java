package dev.kora4j.nn;

import dev.kora4j.ops.Resampling;
import dev.kora4j.tensor.Tensor;

/**
 * Resizes a ViT position embedding to a new patch grid as timm's resample_abs_pos_embed does: the
 * class-token row is kept, the grid rows are resized with PyTorch's antialiased bicubic
 * (F.interpolate(mode='bicubic', antialias=True, align_corners=False), the weights of
 * {@link Resampling}), along the width and then the height, in double.
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
        Resampling.Taps cols = Resampling.taps(side, newW, Resampling.Filter.BICUBIC);
        Resampling.Taps rows = Resampling.taps(side, newH, Resampling.Filter.BICUBIC);
        double[] wide = new double[side * newW * d];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < newW; x++) {
                addTaps(cols, x, src, d, (1 + y * side) * d, d, wide, (y * newW + x) * d);
            }
        }
        double[] out = new double[(1 + newH * newW) * d];
        System.arraycopy(src, 0, out, 0, d); // the class token's row stays as it is
        for (int y = 0; y < newH; y++) {
            for (int x = 0; x < newW; x++) {
                addTaps(rows, y, wide, d, x * d, newW * d, out, (1 + y * newW + x) * d);
            }
        }
        float[] f = new float[out.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) out[i];
        }
        return Tensor.of(f, 1, 1 + newH * newW, d).to(posEmbed.device());
    }

    /** dst[to..to+d) += Σ_k w_k · src[from + (start+k)·step ..] for output index i of taps t. */
    private static void addTaps(Resampling.Taps t, int i, double[] src, int d, int from, int step, double[] dst, int to) {
        for (int k = 0; k < t.count()[i]; k++) {
            double w = t.weights()[i * t.stride() + k];
            int at = from + (t.start()[i] + k) * step;
            for (int c = 0; c < d; c++) {
                dst[to + c] += w * src[at + c];
            }
        }
    }
}
