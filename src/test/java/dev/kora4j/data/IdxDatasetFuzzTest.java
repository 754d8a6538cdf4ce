package dev.kora4j.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kora4j.FuzzCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pair of IDX files (images and labels) of arbitrary bytes. Input: a flag byte (bit 0: the image
 * file is gzip-compressed, bit 1: the label file is), then the two files as {@link FuzzParts}.
 */
public class IdxDatasetFuzzTest {
    @TempDir
    static Path tmp;

    @FuzzTest
    void open(byte[] input) throws Exception {
        target(input, tmp);
    }

    /** One fuzz input, with {@code scratch} as scratch space. */
    public static void target(byte[] input, Path scratch) throws Exception {
        Path dir = FuzzCheck.scratch(scratch.resolve("idx"));
        int flags = input.length > 0 ? input[0] : 0;
        FuzzParts parts = FuzzParts.split(input, 1);
        Files.write(dir.resolve("train-images-idx3-ubyte" + ((flags & 1) != 0 ? ".gz" : "")), parts.first());
        Files.write(dir.resolve("train-labels-idx1-ubyte" + ((flags & 2) != 0 ? ".gz" : "")), parts.second());
        // gzip may expand its input ~1000-fold, so the allowance per input byte is generous; a
        // declared size with nothing behind it must still cost nothing.
        FuzzCheck.check(input.length, 1 << 20, 4096, () -> {
            IdxDataset data = IdxDataset.open(dir, "train");
            data.numClasses();
            for (int i = 0; i < Math.min(3, data.size()); i++) {
                data.image(i);
                data.label(i);
            }
        });
    }
}
