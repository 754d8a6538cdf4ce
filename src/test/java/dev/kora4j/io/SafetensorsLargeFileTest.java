package dev.kora4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offsets beyond 2 GiB: a file with a 3 GiB tensor followed by a small one. The big tensor is a
 * hole in a sparse file, so the test takes no real disk space or time. A tensor of 3·2^30 elements
 * is over the default cap on declared tensors (kora.limits.tensorElements), so the test raises it.
 */
class SafetensorsLargeFileTest {
    @TempDir
    Path dir;

    @Test
    void tensorsPastTwoGibibytesAreRead() throws Exception {
        long big = 3L << 30;
        String header = "{\"big\":{\"dtype\":\"U8\",\"shape\":[" + big + "],\"data_offsets\":[0," + big + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + big + "," + (big + 8) + "]}}";
        byte[] headerBytes = header.getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("big.safetensors");
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.wrap(StFiles.concat(StFiles.prefix(headerBytes.length), headerBytes)));
            out.write(ByteBuffer.wrap(StFiles.f32(1.5f, -2f)), 8 + headerBytes.length + big);
        }
        String cap = "kora.limits.tensorElements";
        System.setProperty(cap, String.valueOf(big));
        try (SafetensorsFile st = Safetensors.open(file)) {
            assertEquals(big, st.info("big").byteSize());
            assertArrayEquals(new float[] {1.5f, -2f}, st.tensor("tail").toFloatArray());
            SafetensorsException tooLarge = assertThrows(SafetensorsException.class, () -> st.raw("big"));
            assertTrue(tooLarge.getMessage().contains("too large for one Java array"), tooLarge.getMessage());
            SafetensorsException tooMany = assertThrows(SafetensorsException.class, () -> st.longs("big"));
            assertTrue(tooMany.getMessage().contains("too many for one Java array"), tooMany.getMessage());
        } finally {
            System.clearProperty(cap);
        }
    }
}
