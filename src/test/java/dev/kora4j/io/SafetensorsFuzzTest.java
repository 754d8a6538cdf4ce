package dev.kora4j.io;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kora4j.FuzzCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * The safetensors reader on arbitrary bytes: open the file, then read every tensor it declares in
 * the way its dtype allows. Seeds: SafetensorsFuzzTestInputs/openAndReadAll (valid files of every
 * dtype and shape kind, and one file per reader rule broken).
 */
public class SafetensorsFuzzTest {
    @TempDir
    static Path tmp;

    @FuzzTest
    void openAndReadAll(byte[] input) throws Exception {
        target(input, tmp);
    }

    /** One fuzz input, with {@code dir} as scratch space. */
    public static void target(byte[] input, Path dir) throws Exception {
        Path file = Files.write(dir.resolve("fuzz.safetensors"), input);
        // Values widen at most 8× (BOOL and U8 to long); the header's JSON tree costs some more.
        FuzzCheck.check(input.length, 4 << 20, 64, () -> {
            try (SafetensorsFile f = Safetensors.open(file)) {
                for (TensorInfo t : f.infos()) {
                    switch (t.dtype()) {
                        case F32, F16, BF16, F64 -> f.tensor(t.name());
                        case I64, I32, U8, BOOL -> f.ints(t.name());
                        default -> f.raw(t.name());
                    }
                }
                f.metadata();
            }
        });
    }
}
