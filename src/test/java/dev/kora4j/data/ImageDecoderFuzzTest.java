package dev.kora4j.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kora4j.FuzzCheck;
import dev.kora4j.io.Limits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;

/**
 * JPEG and PNG decoding of arbitrary bytes through ImageDecoder, as the data loader decodes every
 * image, under caps of 512 per side and 2^16 pixels: within them a decoded image costs at most a few
 * MB, so any larger allocation is a declared size acted on before it was checked.
 */
public class ImageDecoderFuzzTest {
    static final Limits CAPS = Limits.parse(Map.of("kora.limits.imageSide", "512", "kora.limits.imagePixels", "65536")::get);

    @TempDir
    static Path tmp;

    @FuzzTest
    void decode(byte[] input) throws Exception {
        target(input, tmp);
    }

    /** One fuzz input, with {@code dir} as scratch space. */
    public static void target(byte[] input, Path dir) throws Exception {
        Path file = Files.write(dir.resolve("image.jpg"), input);
        FuzzCheck.check(input.length, 24 << 20, 64, () -> ImageDecoder.decode(file, CAPS));
    }
}
