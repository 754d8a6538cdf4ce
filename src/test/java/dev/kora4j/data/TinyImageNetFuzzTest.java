package dev.kora4j.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kora4j.FuzzCheck;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tiny ImageNet's text files of arbitrary bytes: wnids.txt and val/val_annotations.txt as
 * {@link FuzzParts}, in a tree with val/images/val_0..3.JPEG and, for each of the first wnids that
 * is a plain name, a train/WNID/images/ folder with one image (images are not decoded by opening).
 * Both splits are opened.
 */
public class TinyImageNetFuzzTest {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_]{1,16}");

    @TempDir
    static Path tmp;

    @FuzzTest
    void open(byte[] input) throws Exception {
        target(input, tmp);
    }

    /** One fuzz input, with {@code scratch} as scratch space. */
    public static void target(byte[] input, Path scratch) throws Exception {
        Path root = FuzzCheck.scratch(scratch.resolve("tiny"));
        FuzzParts parts = FuzzParts.split(input, 0);
        Files.write(root.resolve("wnids.txt"), parts.first());
        Path val = Files.createDirectories(root.resolve("val/images"));
        for (int k = 0; k < 4; k++) {
            Files.write(val.resolve("val_" + k + ".JPEG"), new byte[0]);
        }
        Files.write(root.resolve("val/val_annotations.txt"), parts.second());
        String[] lines = new String(parts.first(), StandardCharsets.UTF_8).split("\n", 9);
        for (int i = 0; i < Math.min(8, lines.length); i++) {
            if (PLAIN.matcher(lines[i].strip()).matches()) {
                Path images = Files.createDirectories(root.resolve("train").resolve(lines[i].strip()).resolve("images"));
                Files.write(images.resolve("a.JPEG"), new byte[0]);
            }
        }
        Files.createDirectories(root.resolve("train"));
        FuzzCheck.check(input.length, 2 << 20, 64, () -> {
            for (Split split : new Split[] {Split.VAL, Split.TRAIN}) {
                try {
                    Dataset d = TinyImageNet.open(root, split);
                    d.classCounts();
                } catch (dev.kora4j.io.InputException refused) {
                    // expected for most inputs; the other split is still worth opening
                }
            }
        });
    }
}
