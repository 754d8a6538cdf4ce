package dev.kora4j.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** PIL's antialiased resampling weights against hand computations. */
class ResamplingTest {
    /** The taps applied to one row, in double. */
    private static double[] resample(double[] row, int out, Resampling.Filter filter) {
        Resampling.Taps t = Resampling.taps(row.length, out, filter);
        double[] result = new double[out];
        for (int i = 0; i < out; i++) {
            for (int k = 0; k < t.count()[i]; k++) {
                result[i] += t.weights()[i * t.stride() + k] * row[t.start()[i] + k];
            }
        }
        return result;
    }

    private static void assertRow(double[] actual, double... expected) {
        assertEquals(expected.length, actual.length);
        for (int x = 0; x < expected.length; x++) {
            assertEquals(expected[x], actual[x], 1e-12, "column " + x);
        }
    }

    /*
     * Shrinking 4 → 2: scale s = 2, the filter is stretched by 2, output 0 is centred at 1.0 and takes
     * inputs 0..2 with weights tri((j − 1 + 0.5)/2) = 0.75, 0.75, 0.25 (sum 1.75): (0 + 0.75 + 0.5)/1.75 = 5/7.
     * Output 1 is centred at 3.0: inputs 1..3, weights 0.25, 0.75, 0.75: (0.25 + 1.5 + 2.25)/1.75 = 16/7.
     */
    @Test
    void bilinearShrinkAveragesEveryCoveredPixel() {
        assertRow(resample(new double[] {0, 1, 2, 3}, 2, Resampling.Filter.BILINEAR), 5.0 / 7, 16.0 / 7);
    }

    /* Enlarging 2 → 4 (s = 0.5): centres 0.25, 0.75, 1.25, 1.75; at the edges the lone tap is renormalised to 1. */
    @Test
    void bilinearEnlargeInterpolates() {
        assertRow(resample(new double[] {0, 1}, 4, Resampling.Filter.BILINEAR), 0, 0.25, 0.75, 1);
    }

    /*
     * Bicubic, a = −0.5. Shrinking 4 → 2: output 0 (centre 1.0, support 4) takes inputs 0..3 with
     * weights cubic(∓0.25) = 0.8671875 (twice), cubic(0.75) = 0.2265625, cubic(1.25) = −0.0703125,
     * sum 121/64: (0.8671875 + 0.453125 − 0.2109375)/(121/64) = 71/121; output 1 = 3 − 71/121 by symmetry.
     * Enlarging 2 → 4: output 0 (centre 0.25) takes inputs 0, 1 with weights cubic(0.25) = 111/128 and
     * cubic(1.25) = −9/128: −9/102 = −3/34 (overshoot below 0); output 1 (centre 0.75): cubic(0.25),
     * cubic(0.75) = 29/128: 29/140.
     */
    @Test
    void bicubicMatchesTheHandComputedWeights() {
        assertRow(resample(new double[] {0, 1, 2, 3}, 2, Resampling.Filter.BICUBIC), 71.0 / 121, 292.0 / 121);
        assertRow(resample(new double[] {0, 1}, 4, Resampling.Filter.BICUBIC), -3.0 / 34, 29.0 / 140, 111.0 / 140, 37.0 / 34);
    }

    @Test
    void everyOutputsWeightsSumToOne() {
        for (Resampling.Filter f : Resampling.Filter.values()) {
            for (int[] size : new int[][] {{5, 11}, {11, 5}, {7, 7}, {64, 3}}) {
                double[] ones = new double[size[0]];
                java.util.Arrays.fill(ones, 1.0);
                for (double v : resample(ones, size[1], f)) {
                    assertEquals(1.0, v, 1e-12, f + " " + size[0] + " → " + size[1]);
                }
            }
        }
    }
}
