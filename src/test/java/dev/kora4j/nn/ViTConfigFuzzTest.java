package dev.kora4j.nn;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kora4j.FuzzCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** config.json (timm's hub form) on arbitrary bytes, read from a file as `parity` and `train` read it. */
public class ViTConfigFuzzTest {
    @TempDir
    static Path tmp;

    @FuzzTest
    void read(byte[] input) throws Exception {
        target(input, tmp);
    }

    /** One fuzz input, with {@code dir} as scratch space. */
    public static void target(byte[] input, Path dir) throws Exception {
        Path file = Files.write(dir.resolve("config.json"), input);
        FuzzCheck.check(input.length, 4 << 20, 64, () -> {
            ViTConfig c = ViTConfigs.read(file);
            c.parameterCount();
        });
    }
}
