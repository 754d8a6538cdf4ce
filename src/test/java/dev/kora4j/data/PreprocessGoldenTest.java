package dev.kora4j.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kora4j.Asserts;
import dev.kora4j.io.Safetensors;
import dev.kora4j.io.SafetensorsFile;
import dev.kora4j.ops.Resampling;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Resizing and the presets against PIL, torchvision and timm themselves (test-data/golden/loss_and_preprocess,
 * made by its script): the same bits, so a timm model sees in kora4j the inputs it sees in timm.
 */
class PreprocessGoldenTest {
    private static final Path DIR = Path.of("test-data", "golden", "loss_and_preprocess");

    private static JsonNode cases() throws IOException {
        return new ObjectMapper().readTree(DIR.resolve("cases.json").toFile()).get("preprocess");
    }

    /** Every image with every value of {@code key}. */
    private static Stream<Arguments> imagesWith(String key) throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode image : cases().get("images")) {
            for (JsonNode v : cases().get(key)) {
                out.add(Arguments.of(image.asText(), v.isArray() ? new int[] {v.get(0).asInt(), v.get(1).asInt()} : new int[] {v.asInt()}));
            }
        }
        return out.stream();
    }

    static Stream<Arguments> pilSizes() throws IOException {
        return imagesWith("pil_sizes");
    }

    static Stream<Arguments> presetSizes() throws IOException {
        return imagesWith("sizes");
    }

    /** A U8 [3, H, W] tensor as a decoded image: each byte / 255f, as every decoder of 8-bit images makes it. */
    private static Image image(SafetensorsFile f, String name) {
        long[] shape = f.info(name).shape();
        long[] bytes = f.longs(name);
        float[] data = new float[bytes.length];
        for (int i = 0; i < data.length; i++) {
            data[i] = bytes[i] / 255f;
        }
        return new Image((int) shape[1], (int) shape[2], data);
    }

    @ParameterizedTest(name = "{0} to {1}")
    @MethodSource("pilSizes")
    void resizingIsPilsToTheBit(String name, int[] size) throws IOException {
        try (SafetensorsFile f = Safetensors.open(DIR.resolve("preprocess.safetensors"))) {
            for (Resampling.Filter filter : Resampling.Filter.values()) {
                String key = String.format(Locale.ROOT, "%s.pil_%s_%dx%d", name, filter.name().toLowerCase(Locale.ROOT), size[0], size[1]);
                Image ours = PilResize.resize(image(f, name), size[0], size[1], filter);
                Asserts.assertSameBits(key, image(f, key).toTensor(), ours.toTensor());
            }
        }
    }

    @ParameterizedTest(name = "{0} at {1} px")
    @MethodSource("presetSizes")
    void theTimmPresetIsTimmsEvalTransformToTheBit(String name, int[] img) throws IOException {
        try (SafetensorsFile f = Safetensors.open(DIR.resolve("preprocess.safetensors"))) {
            Tensor ours = Preprocess.timm(img[0]).apply(image(f, name), new Rng(0)).toTensor();
            Asserts.assertSameBits(name + ".timm" + img[0], f.tensor(name + ".timm" + img[0]), ours);
        }
    }

    @ParameterizedTest(name = "{0} at {1} px")
    @MethodSource("presetSizes")
    void theSeedCifarPresetIsTheNotebooksTransformToTheBit(String name, int[] img) throws IOException {
        try (SafetensorsFile f = Safetensors.open(DIR.resolve("preprocess.safetensors"))) {
            Tensor ours = Preprocess.seedCifar(img[0]).apply(image(f, name), new Rng(0)).toTensor();
            Asserts.assertSameBits(name + ".seed" + img[0], f.tensor(name + ".seed" + img[0]), ours);
        }
    }
}
