package dev.kora4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files from writers older than the header padding (such as some timm hub checkpoints) start the
 * data section at any byte; they are valid and must read correctly.
 */
class SafetensorsUnalignedTest {
    @TempDir
    Path dir;

    @Test
    void unpaddedHeaderReadsCorrectly() throws Exception {
        // The F16 tensor first pushes every later tensor off its natural alignment as well.
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[0,2]},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[2,14]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[14,30]},"
                + "\"n\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[30,38]}}";
        int headerLength = header.getBytes(StandardCharsets.UTF_8).length;
        assertNotEquals(0, headerLength % 8, "the test needs an unpadded header");
        byte[] data = StFiles.concat(StFiles.i16(Float.floatToFloat16(1.5f)), StFiles.f32(1f, -2f, 3.25f),
                StFiles.f64(Math.E, -1e-300), StFiles.i64(-7));
        Path file = StFiles.write(dir, "unaligned.safetensors", StFiles.file(header, data));
        try (SafetensorsFile st = Safetensors.open(file)) {
            assertEquals(List.of("h", "w", "d", "n"), st.names());
            assertArrayEquals(new float[] {1.5f}, st.tensor("h").toFloatArray());
            assertArrayEquals(new float[] {1f, -2f, 3.25f}, st.tensor("w").toFloatArray());
            assertArrayEquals(new double[] {Math.E, -1e-300}, st.tensor("d").toDoubleArray());
            assertArrayEquals(new long[] {-7}, st.longs("n"));
        }
    }
}
