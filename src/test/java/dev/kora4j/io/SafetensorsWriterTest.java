package dev.kora4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer lays files out as the reference writer does, and writes them atomically. */
class SafetensorsWriterTest {
    @TempDir
    Path dir;

    @Test
    void layoutFollowsTheReferenceWriter() throws Exception {
        Path file = dir.resolve("layout.safetensors");
        Safetensors.write(file, Map.of(
                "b", Tensor.of(new float[] {1}, 1),
                "a", Tensor.of(new float[] {2, 3}, 2),
                "labels", RawTensor.ofLongs(new long[] {5}, 1),
                "d", Tensor.of(new double[] {4}),
                "h", new RawTensor(SafetensorsDtype.F16, new long[] {1}, new byte[] {0, 60})),
                Map.of("format", "pt", "a_key", "v"));
        byte[] bytes = Files.readAllBytes(file);
        String header = StFiles.header(bytes);
        // dtype descending in declaration order (I64 > F64 > F32 > F16), then name; __metadata__ first, sorted.
        String json = "{\"__metadata__\":{\"a_key\":\"v\",\"format\":\"pt\"},"
                + "\"labels\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[8,16]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[24,28]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[28,30]}}";
        assertEquals(0, header.length() % 8, "header padded to a multiple of 8");
        assertEquals(json, header.stripTrailing());
        assertTrue(header.substring(json.length()).chars().allMatch(c -> c == ' '));
        assertTrue(header.length() - json.length() < 8);
        assertEquals(8 + header.length() + 30, bytes.length);
        assertArrayEquals(StFiles.i64(5), java.util.Arrays.copyOfRange(bytes, 8 + header.length(), 16 + header.length()));
        try (SafetensorsFile st = Safetensors.open(file)) {
            assertEquals(List.of("labels", "d", "a", "b", "h"), st.names());
        }
    }

    @Test
    void namesAreOrderedByTheirUtf8Bytes() {
        // "\uFFFD" sorts after "\uD83D\uDE00" in UTF-16 but before it in UTF-8 (and in Rust).
        Path file = dir.resolve("names.safetensors");
        Safetensors.write(file, Map.of("\uD83D\uDE00", Tensor.of(new float[] {1}, 1), "\uFFFD", Tensor.of(new float[] {2}, 1),
                "Z", Tensor.of(new float[] {3}, 1)));
        try (SafetensorsFile st = Safetensors.open(file)) {
            assertEquals(List.of("Z", "\uFFFD", "\uD83D\uDE00"), st.names());
        }
    }

    @Test
    void writingReplacesTheTargetAndLeavesNoTemporaryFile() throws Exception {
        Path file = dir.resolve("out.safetensors");
        Files.writeString(file, "old content");
        Safetensors.write(file, Map.of("x", Tensor.of(new float[] {1, 2}, 2)));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
        try (SafetensorsFile st = Safetensors.open(file)) {
            assertArrayEquals(new float[] {1, 2}, st.tensor("x").toFloatArray());
        }
    }

    @Test
    void aFailedWriteLeavesNothingBehind() throws Exception {
        // The target is a folder, so the final rename fails after the data was written.
        Path target = Files.createDirectory(dir.resolve("taken.safetensors"));
        SafetensorsException e = assertThrows(SafetensorsException.class,
                () -> Safetensors.write(target, Map.of("x", Tensor.of(new float[] {1}, 1))));
        assertTrue(e.getMessage().startsWith(target + ": could not be written"), e.getMessage());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(target), files.toList());
        }
    }

    @Test
    void aMissingFolderIsReported() {
        Path target = dir.resolve("no-such-folder").resolve("x.safetensors");
        SafetensorsException e = assertThrows(SafetensorsException.class,
                () -> Safetensors.write(target, Map.of("x", Tensor.of(new float[] {1}, 1))));
        assertEquals(target + ": could not be written: no such file or folder", e.getMessage());
    }

    @Test
    void badValuesAreRejectedBeforeAnythingIsWritten() throws Exception {
        Path target = dir.resolve("bad.safetensors");
        SafetensorsException notATensor = assertThrows(SafetensorsException.class,
                () -> Safetensors.write(target, Map.of("x", "text")));
        assertTrue(notATensor.getMessage().contains("tensor 'x' is a String"), notATensor.getMessage());
        SafetensorsException reserved = assertThrows(SafetensorsException.class,
                () -> Safetensors.write(target, Map.of("__metadata__", Tensor.of(new float[] {1}, 1))));
        assertTrue(reserved.getMessage().contains("reserved"), reserved.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RawTensor(SafetensorsDtype.F32, new long[] {2}, new byte[4]));
        assertThrows(IllegalArgumentException.class, () -> new RawTensor(SafetensorsDtype.F4, new long[] {3}, new byte[2]));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count());
        }
    }
}
