package dev.kora4j.data;

import dev.kora4j.ops.Resampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.tensor.Rng;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TransformsTest {
    private static final float EPS = 1e-6f;

    /** A 1-row image whose three channels all hold the given values. */
    private static Image row(float... v) {
        float[] d = new float[3 * v.length];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(v, 0, d, c * v.length, v.length);
        }
        return new Image(1, v.length, d);
    }

    /** An h × w image with value c·100 + y·w + x. */
    private static Image ramp(int h, int w) {
        Image img = Image.blank(h, w);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    img.data()[(c * h + y) * w + x] = c * 100 + y * w + x;
                }
            }
        }
        return img;
    }

    private static void assertRow(Image img, int c, double... expected) {
        assertEquals(expected.length, img.width());
        for (int x = 0; x < expected.length; x++) {
            assertEquals(expected[x], img.get(c, 0, x), EPS, "column " + x);
        }
    }

    /*
     * Hand computation (PIL / torch antialias=True). Shrinking 4 → 2: scale s = 2, the filter is
     * stretched by 2, output 0 is centred at 1.0 and takes inputs 0..2 with weights
     * tri((j − 1 + 0.5)/2) = 0.75, 0.75, 0.25 (sum 1.75): (0 + 0.75 + 0.5)/1.75 = 5/7.
     * Output 1 is centred at 3.0: inputs 1..3, weights 0.25, 0.75, 0.75: (0.25 + 1.5 + 2.25)/1.75 = 16/7.
     */
    @Test
    void bilinearShrinkAveragesEveryCoveredPixel() {
        assertRow(Resize.resize(row(0, 1, 2, 3), 1, 2, Resampling.Filter.BILINEAR), 0, 5.0 / 7, 16.0 / 7);
    }

    /* Enlarging 2 → 4 (s = 0.5): centres 0.25, 0.75, 1.25, 1.75; at the edges the lone tap is renormalised to 1. */
    @Test
    void bilinearEnlargeInterpolates() {
        assertRow(Resize.resize(row(0, 1), 1, 4, Resampling.Filter.BILINEAR), 2, 0, 0.25, 0.75, 1);
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
        assertRow(Resize.resize(row(0, 1, 2, 3), 1, 2, Resampling.Filter.BICUBIC), 1, 71.0 / 121, 292.0 / 121);
        assertRow(Resize.resize(row(0, 1), 1, 4, Resampling.Filter.BICUBIC), 0, -3.0 / 34, 29.0 / 140, 111.0 / 140, 37.0 / 34);
    }

    @Test
    void resizingIsSeparableAndPerChannel() {
        // v = c·100 + 2y + x on a 2 × 2 grid is linear, so bilinear resizing resamples y and x independently.
        Image out = Resize.resize(ramp(2, 2), 4, 4, Resampling.Filter.BILINEAR);
        double[] t = {0, 0.25, 0.75, 1};
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    assertEquals(c * 100 + 2 * t[y] + t[x], out.get(c, y, x), 1e-4);
                }
            }
        }
    }

    @Test
    void aConstantImageStaysConstant() {
        Image img = Image.blank(5, 3);
        Arrays.fill(img.data(), 0.3f);
        for (Resampling.Filter f : Resampling.Filter.values()) {
            for (float v : Resize.resize(img, 11, 2, f).data()) {
                assertEquals(0.3f, v, EPS);
            }
        }
    }

    @Test
    void resizeShortSideKeepsTheAspectRatio() {
        Image wide = Resize.resizeShortSide(Image.blank(32, 64), 248, Resampling.Filter.BICUBIC);
        assertEquals(248, wide.height());
        assertEquals(496, wide.width());
        Image tall = Resize.resizeShortSide(Image.blank(50, 30), 248, Resampling.Filter.BILINEAR);
        assertEquals(413, tall.height()); // int(248 · 50 / 30) = int(413.3)
        assertEquals(248, tall.width());
    }

    @Test
    void centreCropRoundsHalvesToEvenAsPythonDoes() {
        Image img = ramp(7, 6);
        Image c = Transforms.centerCrop(img, 3, 3);
        // rows: round((7 − 3)/2) = 2; columns: round((6 − 3)/2) = round(1.5) = 2
        assertEquals(2 * 6 + 2, c.get(0, 0, 0));
        Image d = Transforms.centerCrop(ramp(7, 7), 2, 2);
        // round(2.5) = 2 (half to even), not 3
        assertEquals(2 * 7 + 2, d.get(0, 0, 0));
        Image e = Transforms.centerCrop(ramp(5, 5), 2, 2);
        // round(1.5) = 2
        assertEquals(2 * 5 + 2, e.get(1, 0, 0) - 100);
    }

    @Test
    void centreCropPadsAnImageThatIsTooSmall() {
        Image c = Transforms.centerCrop(ramp(2, 2), 5, 4);
        // torchvision pads (5 − 2) // 2 = 1 row on top and (4 − 2) // 2 = 1 column on the left
        assertEquals(0f, c.get(0, 0, 0));
        assertEquals(0f, c.get(0, 1, 0));
        assertEquals(0f, c.get(0, 1, 1)); // value 0 of the image: row 0, column 0
        assertEquals(3f, c.get(0, 2, 2));
        assertEquals(103f, c.get(1, 2, 2));
        assertEquals(0f, c.get(0, 3, 3));
        assertEquals(0f, c.get(0, 4, 1));
    }

    @Test
    void flipMirrorsEveryRow() {
        Image f = Transforms.flip(ramp(2, 3));
        assertArrayEquals(new float[] {2, 1, 0, 5, 4, 3}, Arrays.copyOf(f.data(), 6));
        assertEquals(205f, f.get(2, 1, 0));
        assertArrayEquals(ramp(2, 3).data(), Transforms.flip(f).data());
    }

    @Test
    void flipProbabilityIsHonoured() {
        Image img = ramp(1, 3);
        assertEquals(2f, Transforms.horizontalFlip(1.0).apply(img, new Rng(0)).get(0, 0, 0));
        assertEquals(0f, Transforms.horizontalFlip(0.0).apply(img, new Rng(0)).get(0, 0, 0));
    }

    /** 10,000 seeded draws flip about p of the images: 5 standard deviations, so p ± 0.05 fails. */
    @ParameterizedTest
    @ValueSource(doubles = {0.5, 0.25})
    void flipProbabilityIsHonouredInBetween(double p) {
        Image img = ramp(1, 3);
        Transform flip = Transforms.horizontalFlip(p);
        Rng rng = new Rng(7);
        int n = 10_000, flipped = 0;
        for (int i = 0; i < n; i++) {
            flipped += flip.apply(img, rng).get(0, 0, 0) == 2f ? 1 : 0;
        }
        double sd = Math.sqrt(n * p * (1 - p));
        assertEquals(n * p, flipped, 5 * sd, "flips out of " + n + " at p = " + p);
    }

    @Test
    void randomCropIsSeededAndCoversEveryOffset() {
        Image img = ramp(4, 4);
        Transform crop = Transforms.randomCrop(2, 2, 0);
        Set<Float> corners = new HashSet<>();
        for (int seed = 0; seed < 200; seed++) {
            Image a = crop.apply(img, new Rng(seed));
            Image b = crop.apply(img, new Rng(seed));
            assertArrayEquals(a.data(), b.data());
            corners.add(a.get(0, 0, 0));
            assertEquals(a.get(0, 0, 0) + 5, a.get(0, 1, 1)); // a contiguous window
        }
        assertEquals(9, corners.size(), "all 3 × 3 positions occur");
        Image padded = Transforms.randomCrop(4, 4, 2).apply(img, new Rng(3));
        assertEquals(4, padded.height());
        assertThrows(IllegalArgumentException.class, () -> Transforms.randomCrop(5, 5, 0).apply(img, new Rng(0)));
    }

    @Test
    void normaliseSubtractsAndDivides() {
        Image img = row(0.5f, 1f);
        Image n = Transforms.normalize(new float[] {0.5f, 0.25f, 0f}, new float[] {0.5f, 0.25f, 2f}).apply(img, new Rng(0));
        assertRow(n, 0, 0, 1);
        assertRow(n, 1, 1, 3);
        assertRow(n, 2, 0.25, 0.5);
        assertNotSame(img.data(), n.data());
        assertEquals(0.5f, img.get(0, 0, 0), "the input is left alone");
    }

    @Test
    void timmPresetIsBicubicShortSideThenCentreCropAtHalfMeanAndStd() {
        Image img = Image.blank(32, 48);
        Arrays.fill(img.data(), 0.75f);
        Image out = Preprocess.timm(224).apply(img, new Rng(0));
        assertEquals(224, out.height());
        assertEquals(224, out.width());
        for (float v : out.data()) {
            assertEquals((0.75f - 0.5f) / 0.5f, v, EPS);
        }
        // The crop is taken from a 248 × 372 resize (floor(224 / 0.9) = 248): the centre of a ramp survives.
        Image r = Preprocess.timm(8, 0.5).apply(ramp(4, 4), new Rng(0)); // 4 → 16, crop 8 at offset 4
        Image manual = Transforms.normalize(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f}).apply(
                Transforms.centerCrop(Transforms.clamp(Resize.resize(ramp(4, 4), 16, 16, Resampling.Filter.BICUBIC), 0f, 1f), 8, 8), null);
        assertArrayEquals(manual.data(), r.data());
    }

    @Test
    void seedPresetsAreBilinearSquareResizesWithTheNotebooksConstants() {
        Image img = Image.blank(32, 32);
        Arrays.fill(img.data(), 0.5f);
        Image cifar = Preprocess.named("seed-cifar", 224).apply(img, new Rng(0));
        assertEquals(224, cifar.height());
        assertEquals((0.5f - 0.5071f) / 0.2675f, cifar.get(0, 100, 100), EPS);
        assertEquals((0.5f - 0.4867f) / 0.2565f, cifar.get(1, 0, 0), EPS);
        assertEquals((0.5f - 0.4408f) / 0.2761f, cifar.get(2, 223, 223), EPS);
        Image tiny = Preprocess.named("seed-tinyimagenet", 224).apply(Image.blank(64, 48), new Rng(0));
        assertEquals(224, tiny.width());
        assertEquals((0f - 0.485f) / 0.229f, tiny.get(0, 0, 0), EPS);
        assertEquals((0f - 0.406f) / 0.225f, tiny.get(2, 5, 5), EPS);
        assertThrows(IllegalArgumentException.class, () -> Preprocess.named("imagenet", 224));
    }

    @Test
    void bicubicOvershootIsClippedInThePresets() {
        // A sharp edge overshoots under bicubic; PIL clips to [0, 255], and so do the presets.
        Image edge = Image.blank(4, 4);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 4; y++) {
                edge.data()[(c * 4 + y) * 4 + 2] = 1f;
                edge.data()[(c * 4 + y) * 4 + 3] = 1f;
            }
        }
        float min = Float.MAX_VALUE;
        for (float v : Resize.resize(edge, 16, 16, Resampling.Filter.BICUBIC).data()) {
            min = Math.min(min, v);
        }
        assertTrue(min < 0f, "bicubic overshoots");
        for (float v : Preprocess.timm(16, 1.0).apply(edge, new Rng(0)).data()) {
            assertTrue(v >= -1f && v <= 1f, "after clipping and (x − 0.5)/0.5 every value is in [−1, 1]: " + v);
        }
    }
}
