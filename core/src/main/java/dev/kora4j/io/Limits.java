package dev.kora4j.io;

import java.util.function.Function;

/**
 * Caps on what an input may declare, so that a hostile or broken file is refused with a clear error
 * before anything is allocated for it: a safetensors tensor's element count and header size, an
 * image's sides and pixel count, and a model config's sizes. Each cap is the system property
 * {@code kora.limits.<name>} (for {@code bin/kora}: {@code KORA_JAVA_OPTS=-Dkora.limits.imagePixels=100000000});
 * the defaults hold every model and data set this project is for.
 *
 * @param tensorElements  elements of one tensor a safetensors file may declare
 * @param headerBytes     length of a safetensors header (the format itself allows at most 100,000,000)
 * @param imageSide       width or height of an image file
 * @param imagePixels     width × height of an image file
 * @param modelWidth      embed_dim, num_heads and the MLP's hidden width of a model config
 * @param modelDepth      depth (blocks) of a model config
 * @param modelImageSize  img_size and patch_size of a model config
 * @param modelClasses    num_classes of a model config
 * @param modelParameters parameters of the whole model a config describes
 */
public record Limits(long tensorElements, long headerBytes, long imageSide, long imagePixels, long modelWidth,
                     long modelDepth, long modelImageSize, long modelClasses, long modelParameters) {
    public static final String PREFIX = "kora.limits.";
    /** The safetensors format's own bound on the header (the reference reader's MAX_HEADER_SIZE). */
    public static final long FORMAT_MAX_HEADER_BYTES = 100_000_000L;

    public static final Limits DEFAULTS = new Limits(1L << 30, FORMAT_MAX_HEADER_BYTES, 16_384, 40_000_000L,
            16_384, 256, 4096, 1_000_000, 2_000_000_000L);

    /** The caps in force: each system property that is set, else its default. */
    public static Limits current() {
        return parse(System::getProperty);
    }

    /** The caps from a property lookup (null: not set, so the default). */
    public static Limits parse(Function<String, String> properties) {
        Limits d = DEFAULTS;
        return new Limits(
                read(properties, "tensorElements", d.tensorElements, Long.MAX_VALUE),
                read(properties, "headerBytes", d.headerBytes, FORMAT_MAX_HEADER_BYTES),
                read(properties, "imageSide", d.imageSide, Integer.MAX_VALUE),
                read(properties, "imagePixels", d.imagePixels, Long.MAX_VALUE),
                read(properties, "modelWidth", d.modelWidth, Integer.MAX_VALUE),
                read(properties, "modelDepth", d.modelDepth, Integer.MAX_VALUE),
                read(properties, "modelImageSize", d.modelImageSize, Integer.MAX_VALUE),
                read(properties, "modelClasses", d.modelClasses, Integer.MAX_VALUE),
                read(properties, "modelParameters", d.modelParameters, Long.MAX_VALUE));
    }

    private static long read(Function<String, String> properties, String name, long fallback, long max) {
        String text = properties.apply(PREFIX + name);
        if (text == null || text.isBlank()) {
            return fallback;
        }
        long value;
        try {
            value = Long.parseLong(text.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new InputException(PREFIX + name + ": '" + text + "' is not a whole number");
        }
        if (value < 1 || value > max) {
            throw new InputException(PREFIX + name + ": " + value + " is outside 1.." + max
                    + (name.equals("headerBytes") ? " (the safetensors format allows no longer header)" : ""));
        }
        return value;
    }

    /**
     * The end of an error message about a cap: the limit, the property that sets it and how to
     * raise it, e.g. "over the limit of 256 (kora.limits.modelDepth; raise it with -Dkora.limits.modelDepth=N)".
     */
    public static String over(String name, long limit) {
        return over(name, limit, "");
    }

    /** As {@link #over(String, long)}, with a unit after the limit ("bytes"). */
    public static String over(String name, long limit, String unit) {
        return "over the limit of " + limit + (unit.isEmpty() ? "" : " " + unit) + " (" + PREFIX + name + "; raise it with -D"
                + PREFIX + name + "=N)";
    }
}
