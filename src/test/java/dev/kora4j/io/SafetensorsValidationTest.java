package dev.kora4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One hand-built malformed file per reader rule of the format; each must be refused with a
 * message that starts with the file and says what is wrong (and which tensor, where there is one).
 */
class SafetensorsValidationTest {
    @TempDir
    Path dir;

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    /** Writes the bytes, expects open() to fail, and checks the message names the file and the fragments. */
    private String rejected(byte[] bytes, String... fragments) throws Exception {
        Path file = StFiles.write(dir, "bad.safetensors", bytes);
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.open(file).close());
        String message = e.getMessage();
        assertTrue(message.startsWith(file + ": "), message);
        assertEquals(file, e.file());
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), "'" + fragment + "' missing from: " + message);
        }
        assertTrue(!message.contains("\n") && !message.contains("Exception") && !message.contains("jackson"), message);
        return message;
    }

    private String rejected(String header, byte[] data, String... fragments) throws Exception {
        return rejected(StFiles.file(header, data), fragments);
    }

    private void accepted(String header, byte[] data) throws Exception {
        Path file = StFiles.write(dir, "good.safetensors", StFiles.file(header, data));
        Safetensors.open(file).close();
    }

    // ---- 1. header length -------------------------------------------------------------------

    @Test
    void fileShorterThanTheLengthPrefix() throws Exception {
        rejected(new byte[5], "5 bytes long", "too short");
        rejected(new byte[0], "0 bytes long");
    }

    @Test
    void headerLengthOverTheLimit() throws Exception {
        rejected(StFiles.concat(StFiles.prefix(100_000_001L), new byte[16]), "header length 100000001", "over the limit");
        rejected(StFiles.concat(StFiles.prefix(-1L), new byte[16]), "header length 18446744073709551615", "over the limit");
    }

    @Test
    void headerLengthPastTheEndOfTheFile() throws Exception {
        rejected(StFiles.concat(StFiles.prefix(100), "{}".getBytes(StandardCharsets.UTF_8)), "header length 100",
                "runs past the end", "10 bytes");
    }

    // ---- 2. header text ---------------------------------------------------------------------

    @Test
    void headerNotUtf8() throws Exception {
        byte[] header = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '{', '}', '}'};
        rejected(StFiles.file(header, new byte[0]), "not valid UTF-8");
    }

    @Test
    void headerNotJson() throws Exception {
        rejected("{\"a\":", new byte[0], "not valid JSON");
        rejected("{} {}", new byte[0], "not valid JSON");
        rejected("{\"a\":1} trailing", new byte[0], "not valid JSON");
        rejected("{'a':{}}", new byte[0], "not valid JSON");
    }

    @Test
    void headerNotAnObject() throws Exception {
        rejected("[]", new byte[0], "header is an array, not a JSON object");
        rejected("", new byte[0], "header is empty");
        rejected("   ", new byte[0], "header is empty");
        rejected("\"x\"", new byte[0], "not a JSON object");
    }

    @Test
    void whitespaceAroundTheHeaderIsAccepted() throws Exception {
        accepted(" \n\t{" + entry("a", "F32", "[1]", 0, 4) + "}  \n ", StFiles.f32(1));
        accepted("{}", new byte[0]);
    }

    @Test
    void duplicateKeys() throws Exception {
        rejected("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("a", "F32", "[1]", 4, 8) + "}", new byte[8],
                "the key 'a' twice", "duplicate");
        rejected("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", new byte[0], "the key 'k' twice inside '__metadata__'");
        rejected("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}}", new byte[4],
                "the key 'dtype' twice inside 'a'");
    }

    @Test
    void metadataMustMapStringsToStrings() throws Exception {
        rejected("{\"__metadata__\":{\"epoch\":3}}", new byte[0], "'__metadata__' entry 'epoch'", "the number 3", "must be strings");
        rejected("{\"__metadata__\":{\"x\":null}}", new byte[0], "entry 'x' is null");
        rejected("{\"__metadata__\":{\"x\":{\"y\":\"z\"}}}", new byte[0], "entry 'x' is an object");
        rejected("{\"__metadata__\":[\"x\"]}", new byte[0], "'__metadata__' is an array");
        rejected("{\"__metadata__\":\"pt\"}", new byte[0], "'__metadata__' is a string");
    }

    @Test
    void entryFieldsOfTheWrongType() throws Exception {
        rejected("{\"a\":[1,2]}", new byte[0], "tensor 'a'", "entry is an array");
        rejected("{\"a\":{\"dtype\":32,\"shape\":[],\"data_offsets\":[0,4]}}", new byte[4], "tensor 'a'", "dtype is the number 32");
        rejected("{\"a\":{\"dtype\":\"F32\",\"shape\":\"[1]\",\"data_offsets\":[0,4]}}", new byte[4], "tensor 'a'",
                "shape is a string");
        rejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":{}}}", new byte[4], "data_offsets is an object");
    }

    @Test
    void missingEntryFields() throws Exception {
        rejected("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4], "tensor 'a'", "no dtype");
        rejected("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", new byte[4], "tensor 'a'", "no shape");
        rejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4], "tensor 'a'", "no data_offsets");
    }

    @Test
    void unknownEntryFields() throws Exception {
        rejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"stride\":[1]}}", new byte[4],
                "tensor 'a'", "unknown field 'stride'");
    }

    @Test
    void unknownDtype() throws Exception {
        rejected("{" + entry("a", "F128", "[1]", 0, 16) + "}", new byte[16], "tensor 'a'", "unknown dtype 'F128'");
        rejected("{" + entry("a", "f32", "[1]", 0, 4) + "}", new byte[4], "unknown dtype 'f32'");
    }

    // ---- integers ---------------------------------------------------------------------------

    @Test
    void shapeEntriesMustBeNonNegativeIntegers() throws Exception {
        rejected("{" + entry("a", "F32", "[1.5]", 0, 4) + "}", new byte[4], "tensor 'a'", "shape[0] is written as a floating-point number (1.5)",
                "must be a non-negative integer");
        rejected("{" + entry("a", "F32", "[\"3\"]", 0, 12) + "}", new byte[12], "shape[0] is a string (\"3\")");
        rejected("{" + entry("a", "F32", "[1e3]", 0, 4000) + "}", new byte[4000], "shape[0] is written as a floating-point number (1000.0)");
        rejected("{" + entry("a", "F32", "[2,1.0]", 0, 8) + "}", new byte[8], "shape[1] is written as a floating-point number (1.0)");
        rejected("{" + entry("a", "F32", "[-1]", 0, 4) + "}", new byte[4], "shape[0] is negative (-1)");
        rejected("{" + entry("a", "F32", "[null]", 0, 4) + "}", new byte[4], "shape[0] is null");
        rejected("{" + entry("a", "F32", "[281474976710656]", 0, 4) + "}", new byte[4], "shape[0] is 281474976710656",
                "2^48-1");
        rejected("{" + entry("a", "F32", "[123456789012345678901234567890]", 0, 4) + "}", new byte[4], "2^48-1");
    }

    @Test
    void offsetsMustBeTwoNonNegativeIntegers() throws Exception {
        rejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4.0]}}", new byte[4], "tensor 'a'",
                "data_offsets[1] is written as a floating-point number (4.0)");
        rejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", new byte[4], "data_offsets[0] is negative");
        rejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", new byte[4], "data_offsets has 1 entry, expected 2");
        rejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", new byte[4], "has 3 entries");
    }

    // ---- 3. offsets -------------------------------------------------------------------------

    @Test
    void endBeforeBegin() throws Exception {
        rejected("{" + entry("a", "F32", "[1]", 4, 0) + "}", new byte[4], "tensor 'a'", "data_offsets [4,0] end before they begin");
    }

    @Test
    void firstTensorMustStartAtZero() throws Exception {
        rejected("{" + entry("a", "F32", "[1]", 4, 8) + "}", new byte[8], "tensor 'a'", "gap", "must start at 0");
    }

    @Test
    void gapBetweenTensors() throws Exception {
        String header = "{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 8, 12) + "}";
        String message = rejected(header, new byte[12], "tensor 'b'", "leave a gap: bytes 4 to 8 of the data section");
        int fileByte = 8 + header.length() + 4;
        assertTrue(message.contains("file bytes " + fileByte + " to " + (fileByte + 4)), message);
    }

    @Test
    void overlappingTensors() throws Exception {
        rejected("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[1]", 4, 8) + "}", new byte[8],
                "tensor 'b'", "overlap tensor 'a'", "ends at data offset 8");
        rejected("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 0, 4) + "}", new byte[4],
                "overlap tensor 'a'");
    }

    @Test
    void jsonOrderDoesNotMatterOnlyOffsets() throws Exception {
        accepted("{" + entry("b", "F32", "[1]", 4, 8) + "," + entry("a", "F32", "[1]", 0, 4) + "}", new byte[8]);
    }

    @Test
    void scalarsAndEmptyTensorsAreValid() throws Exception {
        accepted("{" + entry("s", "F32", "[]", 0, 4) + "," + entry("e", "F32", "[0,3]", 4, 4) + ","
                + entry("e2", "I64", "[5,0]", 4, 4) + "," + entry("z", "F32", "[0,281474976710655]", 4, 4) + "}", new byte[4]);
    }

    // ---- 4. sizes ---------------------------------------------------------------------------

    @Test
    void sizeOverflow() throws Exception {
        rejected("{" + entry("a", "F32", "[281474976710655,281474976710655]", 0, 4) + "}", new byte[4], "tensor 'a'",
                "overflows");
        rejected("{" + entry("a", "F64", "[4294967296,536870912]", 0, 4) + "}", new byte[4], "overflows");
    }

    @Test
    void partialBytes() throws Exception {
        rejected("{" + entry("a", "F4", "[3]", 0, 2) + "}", new byte[2], "tensor 'a'", "12 bits, not a whole number of bytes");
    }

    @Test
    void byteSizeMustMatchShapeAndDtype() throws Exception {
        rejected("{" + entry("a", "F32", "[2,2]", 0, 12) + "}", new byte[12], "tensor 'a'", "span 12 bytes", "F32 [2,2] needs 16");
        rejected("{" + entry("a", "F32", "[]", 0, 0) + "}", new byte[0], "F32 [] needs 4");
    }

    // ---- 5. full coverage -------------------------------------------------------------------

    @Test
    void trailingBytesAreRejected() throws Exception {
        rejected("{" + entry("a", "F32", "[1]", 0, 4) + "}", new byte[5], "trailing bytes");
    }

    @Test
    void dataPastTheEndOfTheFile() throws Exception {
        String header = "{" + entry("a", "F32", "[2]", 0, 8) + "}";
        long fileLength = 8 + header.length() + 4;
        rejected(header, new byte[4], "data ends at byte " + (fileLength + 4), "file has " + fileLength + " bytes", "cut short");
    }

    // ---- the file itself ---------------------------------------------------------------------

    @Test
    void missingFileAndFolder() throws Exception {
        Path missing = dir.resolve("missing.safetensors");
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.open(missing));
        assertEquals(missing + ": no such file", e.getMessage());
        SafetensorsException folder = assertThrows(SafetensorsException.class, () -> Safetensors.open(dir));
        assertEquals(dir + ": is a folder, not a safetensors file", folder.getMessage());
    }

    @Test
    void unreadableFile() throws Exception {
        Path file = StFiles.write(dir, "secret.safetensors", StFiles.file("{}", new byte[0]));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
        Assumptions.assumeFalse(Files.isReadable(file), "permissions are not enforced for this user");
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> Safetensors.open(file));
        assertEquals(file + ": cannot be read: permission denied", e.getMessage());
    }
}
