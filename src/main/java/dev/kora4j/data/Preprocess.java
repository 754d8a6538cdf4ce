package dev.kora4j.data;

import dev.kora4j.ops.Resampling;

import java.util.Locale;

/**
 * The preprocessing presets: what turns a decoded image in [0, 1] into the model's input.
 * <ul>
 *   <li>{@code timm}: the pretrained ViT's own (timm's eval transform, timm-vit.md §1.4): bicubic
 *       resize of the shorter side to floor(img / crop_pct) with crop_pct 0.9, centre crop img × img,
 *       mean = std = 0.5. Use it unless reproducing the seed.</li>
 *   <li>{@code seed-cifar} and {@code seed-tinyimagenet}: the seed notebook's (datasets.md §4.3):
 *       bilinear resize to img × img, then its CIFAR-100 or ImageNet mean/std.</li>
 * </ul>
 * Both resize the 8-bit image as PIL does ({@link PilResize}), so their output has the bits of timm's
 * and the notebook's own transforms (PreprocessGoldenTest, against timm, torchvision and PIL).
 */
public final class Preprocess {
    public static final double TIMM_CROP_PCT = 0.9;
    private static final float[] TIMM_MEAN = {0.5f, 0.5f, 0.5f};
    private static final float[] TIMM_STD = {0.5f, 0.5f, 0.5f};
    /** The seed notebook's CIFAR-100 constants (they differ from the measured ones in the fourth decimal; kept as the seed had them). */
    private static final float[] SEED_CIFAR_MEAN = {0.5071f, 0.4867f, 0.4408f};
    private static final float[] SEED_CIFAR_STD = {0.2675f, 0.2565f, 0.2761f};
    /** The ImageNet constants the seed notebook used for Tiny ImageNet. */
    private static final float[] SEED_TINYIMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    private static final float[] SEED_TINYIMAGENET_STD = {0.229f, 0.224f, 0.225f};

    /** The names {@link #named} accepts. */
    public static final String TIMM = "timm";
    public static final String SEED_CIFAR = "seed-cifar";
    public static final String SEED_TINYIMAGENET = "seed-tinyimagenet";

    private Preprocess() {}

    /** The pretrained model's own preprocessing for an img × img input. */
    public static Transform timm(int img) {
        return timm(img, TIMM_CROP_PCT);
    }

    public static Transform timm(int img, double cropPct) {
        if (!(cropPct > 0 && cropPct <= 1)) {
            throw new IllegalArgumentException("crop_pct must be in (0, 1], got " + cropPct);
        }
        int scaleSize = (int) Math.floor(img / cropPct);
        return Transforms.resizeShortSide(scaleSize, Resampling.Filter.BICUBIC)
                .then(Transforms.centerCrop(img, img))
                .then(Transforms.normalize(TIMM_MEAN, TIMM_STD));
    }

    /** The seed notebook's CIFAR-100 preprocessing. */
    public static Transform seedCifar(int img) {
        return seed(img, SEED_CIFAR_MEAN, SEED_CIFAR_STD);
    }

    /** The seed notebook's Tiny ImageNet preprocessing (train subset and val alike). */
    public static Transform seedTinyImageNet(int img) {
        return seed(img, SEED_TINYIMAGENET_MEAN, SEED_TINYIMAGENET_STD);
    }

    private static Transform seed(int img, float[] mean, float[] std) {
        return Transforms.resize(img, img, Resampling.Filter.BILINEAR)
                .then(Transforms.normalize(mean, std));
    }

    /** A preset by name: "timm", "seed-cifar" or "seed-tinyimagenet". */
    public static Transform named(String name, int img) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case TIMM -> timm(img);
            case SEED_CIFAR -> seedCifar(img);
            case SEED_TINYIMAGENET -> seedTinyImageNet(img);
            default -> throw new IllegalArgumentException("unknown preprocessing \"" + name + "\"; expected timm, seed-cifar or seed-tinyimagenet");
        };
    }
}
