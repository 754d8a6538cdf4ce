package dev.kora4j.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kora4j.FuzzCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** A CIFAR-100 binary file of arbitrary bytes: opened, then its first records decoded. */
public class CifarBinaryFuzzTest {
    @TempDir
    static Path tmp;

    @FuzzTest
    void open(byte[] input) throws Exception {
        target(input, tmp);
    }

    /** One fuzz input, with {@code dir} as scratch space. */
    public static void target(byte[] input, Path dir) throws Exception {
        Path file = Files.write(dir.resolve("train.bin"), input);
        FuzzCheck.check(input.length, 1 << 20, 8, () -> {
            CifarBinary data = CifarBinary.open(file);
            for (int i = 0; i < Math.min(3, data.size()); i++) {
                data.image(i);
                data.className(data.label(i));
            }
        });
    }
}
