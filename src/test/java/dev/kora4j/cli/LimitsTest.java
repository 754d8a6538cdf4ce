package dev.kora4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.io.InputException;
import dev.kora4j.io.Limits;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each cap of {@link Limits}, set low through its system property, refuses a file that the default
 * accepts, with one error line naming the cap and how to raise it.
 */
class LimitsTest {
    static final Path GOLDEN = Path.of("test-data", "golden", "lora_head");

    @TempDir
    Path tmp;

    static String[] parity() {
        return new String[] {"parity", "--model", GOLDEN.resolve("config.json").toString(), "--weights",
            GOLDEN.resolve("backbone.safetensors").toString(), "--batch", GOLDEN.resolve("batch.safetensors").toString(),
            "--out", "OUT", "--threads", "1"};
    }

    static Stream<Arguments> caps() {
        String backbone = GOLDEN.resolve("backbone.safetensors").toString();
        return Stream.of(
                Arguments.of("tensorElements", "100", new String[] {"inspect", backbone}, "elements, over the limit of 100"),
                Arguments.of("headerBytes", "256", new String[] {"inspect", backbone}, "bytes 0-7) is over the limit of 256 bytes"),
                Arguments.of("modelWidth", "16", parity(), "embed_dim 20 is over the limit of 16"),
                Arguments.of("modelDepth", "1", parity(), "depth 2 is over the limit of 1"),
                Arguments.of("modelImageSize", "8", parity(), "img_size 16 is over the limit of 8"),
                Arguments.of("modelClasses", "5", parity(), "num_classes 7 is over the limit of 5"),
                Arguments.of("modelParameters", "5000", parity(), "parameters, over the limit of 5000"),
                Arguments.of("imageSide", "4", null, "a side of 8 is over the limit of 4"),
                Arguments.of("imagePixels", "32", null, "64 pixels in all is over the limit of 32"));
    }

    @ParameterizedTest(name = "kora.limits.{0}={1}")
    @MethodSource("caps")
    void aLowCapRefusesWithItsNameAndHowToRaiseIt(String cap, String value, String[] args, String expected) throws IOException {
        String property = Limits.PREFIX + cap;
        String[] template = args != null ? args : train(tmp);
        CliTest.Run accepted = CliTest.run(withOut(template, "accepted"));
        System.setProperty(property, value);
        CliTest.Run refused;
        try {
            refused = CliTest.run(withOut(template, "refused"));
        } finally {
            System.clearProperty(property);
        }
        assertTrue(!accepted.err().contains("over the limit"), "accepted under the default caps: " + accepted.err());
        assertEquals(2, refused.status(), refused.err());
        List<String> errors = refused.err().lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), refused.err());
        assertTrue(errors.get(0).contains(expected), errors.get(0) + " should say " + expected);
        assertTrue(errors.get(0).contains("(" + property + "; raise it with -D" + property + "=N)"), errors.get(0));
    }

    /** The command with its OUT placeholder replaced by a path of its own. */
    private String[] withOut(String[] template, String name) {
        String[] command = template.clone();
        for (int i = 0; i < command.length; i++) {
            command[i] = command[i].equals("OUT") ? tmp.resolve(name).toString() : command[i];
        }
        return command;
    }

    /** Training on two classes of 8×8 JPEGs (image caps are checked as each image is decoded). */
    private static String[] train(Path tmp) throws IOException {
        Path images = tmp.resolve("images");
        for (String place : List.of("train/a/1.jpg", "train/b/1.jpg", "val/a/1.jpg", "val/b/1.jpg")) {
            Files.createDirectories(images.resolve(place).getParent());
            ImageIO.write(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), "jpeg", images.resolve(place).toFile());
        }
        return new String[] {"train", "--model", GOLDEN.resolve("config.json").toString(), "--adapter-config",
            Path.of("test-data", "demo", "methods", "linear_probe.json").toString(), "--data", "folder:" + images, "--epochs", "1", "--batch", "2", "--workers", "0",
            "--threads", "1", "--out", "OUT"};
    }

    @Test
    void defaultsApplyWhereNothingIsSet() {
        assertEquals(Limits.DEFAULTS, Limits.parse(name -> null));
        assertEquals(40_000_000L, Limits.DEFAULTS.imagePixels());
        assertEquals(Limits.FORMAT_MAX_HEADER_BYTES, Limits.DEFAULTS.headerBytes());
        assertEquals(77, Limits.parse(Map.of("kora.limits.modelDepth", "77")::get).modelDepth());
    }

    @Test
    void aBadValueNamesTheProperty() {
        var notNumber = assertThrows(InputException.class, () -> Limits.parse(Map.of("kora.limits.imageSide", "big")::get));
        assertTrue(notNumber.getMessage().startsWith("kora.limits.imageSide: 'big' is not a whole number"), notNumber.getMessage());
        var zero = assertThrows(InputException.class, () -> Limits.parse(Map.of("kora.limits.modelDepth", "0")::get));
        assertTrue(zero.getMessage().contains("kora.limits.modelDepth: 0 is outside 1.."), zero.getMessage());
        var header = assertThrows(InputException.class, () -> Limits.parse(Map.of("kora.limits.headerBytes", "200000000")::get));
        assertTrue(header.getMessage().contains("the safetensors format allows no longer header"), header.getMessage());

        System.setProperty("kora.limits.tensorElements", "lots");
        try {
            CliTest.Run r = CliTest.run("inspect", GOLDEN.resolve("backbone.safetensors").toString());
            assertEquals(2, r.status());
            assertEquals("error: kora.limits.tensorElements: 'lots' is not a whole number", r.err().strip());
        } finally {
            System.clearProperty("kora.limits.tensorElements");
        }
    }
}
