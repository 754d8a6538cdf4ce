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

    /** 8-bit levels; resizing 2 × 2 → 4 × 4 bilinearly moves a pixel by 0, 1/4, 3/4 or 1 of the step, all whole levels here. */
    @Test
    void resizingIsSeparableAndPerChannel() {
        Image grid = Image.blank(2, 2);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 2; y++) {
                for (int x = 0; x < 2; x++) {
                    grid.data()[(c * 2 + y) * 2 + x] = (c * 60 + 40 * y + 20 * x) / 255f;
                }
            }
        }
        Image out = PilResize.resize(grid, 4, 4, Resampling.Filter.BILINEAR);
        double[] t = {0, 0.25, 0.75, 1};
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 4; y++) {
                for (int x = 0; x < 4; x++) {
                    assertEquals((float) ((c * 60 + 40 * t[y] + 20 * t[x]) / 255f), out.get(c, y, x));
                }
            }
        }
    }

    @Test
    void aConstantImageStaysConstant() {
        Image img = Image.blank(5, 3);
        Arrays.fill(img.data(), 77 / 255f);
        for (Resampling.Filter f : Resampling.Filter.values()) {
            for (float v : PilResize.resize(img, 11, 2, f).data()) {
                assertEquals(77 / 255f, v);
            }
        }
    }

    @Test
    void resizeShortSideKeepsTheAspectRatio() {
        Image wide = PilResize.resizeShortSide(Image.blank(32, 64), 248, Resampling.Filter.BICUBIC);
        assertEquals(248, wide.height());
        assertEquals(496, wide.width());
        Image tall = PilResize.resizeShortSide(Image.blank(50, 30), 248, Resampling.Filter.BILINEAR);
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
        Arrays.fill(img.data(), 191 / 255f); // an 8-bit level, as decoded images hold
        Image out = Preprocess.timm(224).apply(img, new Rng(0));
        assertEquals(224, out.height());
        assertEquals(224, out.width());
        for (float v : out.data()) {
            assertEquals((191 / 255f - 0.5f) / 0.5f, v);
        }
        // The crop is taken from a 248 × 372 resize (floor(224 / 0.9) = 248): the centre of a ramp survives.
        Image levels = Transforms.normalize(new float[] {0, 0, 0}, new float[] {255, 255, 255}).apply(ramp(4, 4), null);
        Image r = Preprocess.timm(8, 0.5).apply(levels, new Rng(0)); // 4 → 16, crop 8 at offset 4
        Image manual = Transforms.normalize(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f}).apply(
                Transforms.centerCrop(PilResize.resize(levels, 16, 16, Resampling.Filter.BICUBIC), 8, 8), null);
        assertArrayEquals(manual.data(), r.data());
    }

    @Test
    void seedPresetsAreBilinearSquareResizesWithTheNotebooksConstants() {
        Image img = Image.blank(32, 32);
        float level = 128 / 255f;
        Arrays.fill(img.data(), level);
        Image cifar = Preprocess.named("seed-cifar", 224).apply(img, new Rng(0));
        assertEquals(224, cifar.height());
        assertEquals((level - 0.5071f) / 0.2675f, cifar.get(0, 100, 100));
        assertEquals((level - 0.4867f) / 0.2565f, cifar.get(1, 0, 0));
        assertEquals((level - 0.4408f) / 0.2761f, cifar.get(2, 223, 223));
        Image tiny = Preprocess.named("seed-tinyimagenet", 224).apply(Image.blank(64, 48), new Rng(0));
        assertEquals(224, tiny.width());
        assertEquals((0f - 0.485f) / 0.229f, tiny.get(0, 0, 0), EPS);
        assertEquals((0f - 0.406f) / 0.225f, tiny.get(2, 5, 5), EPS);
        assertThrows(IllegalArgumentException.class, () -> Preprocess.named("imagenet", 224));
    }

    @Test
    void bicubicOvershootIsClippedToEightBitLevels() {
        // A sharp edge overshoots under bicubic (ResamplingTest: −3/34 of the step); PIL clips each pass to [0, 255].
        Image edge = Image.blank(4, 4);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 4; y++) {
                edge.data()[(c * 4 + y) * 4 + 2] = 1f;
                edge.data()[(c * 4 + y) * 4 + 3] = 1f;
            }
        }
        Image up = PilResize.resize(edge, 16, 16, Resampling.Filter.BICUBIC);
        for (float v : up.data()) {
            assertEquals(Math.round(v * 255) / 255f, v, "an 8-bit level: " + v);
        }
        assertEquals(0f, up.get(0, 5, 4), "the dark side's overshoot, clipped to 0");
        assertEquals(1f, up.get(0, 5, 11), "the bright side's overshoot, clipped to 1");
        for (float v : Preprocess.timm(16, 1.0).apply(edge, new Rng(0)).data()) {
            assertTrue(v >= -1f && v <= 1f, "after clipping and (x − 0.5)/0.5 every value is in [−1, 1]: " + v);
        }
    }
}
