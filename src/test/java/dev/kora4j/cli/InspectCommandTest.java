package dev.kora4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.io.RawTensor;
import dev.kora4j.io.Safetensors;
import dev.kora4j.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `kora inspect FILE`, run in-process through Main.execute with stdout and stderr captured. */
class InspectCommandTest {
    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = Main.execute(args);
            System.out.flush();
            System.err.flush();
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void printsOneLinePerTensorThenTheMetadata() {
        Path file = dir.resolve("model.safetensors");
        Safetensors.write(file, Map.of(
                "w", Tensor.of(new float[6], 2, 3),
                "b", Tensor.of(new float[3], 3),
                "loss", Tensor.of(new float[1]),
                "labels", RawTensor.ofLongs(new long[4], 4),
                "empty", Tensor.of(new double[0], 0, 5)),
                Map.of("format", "pt", "note", "a=b c"));
        Run r = run("inspect", file.toString());
        assertEquals(0, r.status(), r.err());
        // Data order: I64, then F64, then F32 by name.
        assertEquals("""
                labels\tI64\t[4]\t32
                empty\tF64\t[0,5]\t0
                b\tF32\t[3]\t12
                loss\tF32\t[]\t4
                w\tF32\t[2,3]\t24
                # format=pt
                # note=a=b c
                """, r.out());
        assertEquals("", r.err());
    }

    @Test
    void listsTensorsInDataOrderAndMetadataInFileOrder() throws Exception {
        // Hand-built: JSON order differs from data order, metadata keys unsorted, no header padding.
        String header = "{\"z\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[2,4]},"
                + "\"__metadata__\":{\"b\":\"2\",\"a\":\"tab\\there\"},"
                + "\"y\":{\"dtype\":\"I8\",\"shape\":[2],\"data_offsets\":[0,2]}}";
        Path file = write("hand.safetensors", header, new byte[4]);
        Run r = run("inspect", file.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("y\tI8\t[2]\t2\nz\tBF16\t[1]\t2\n# b=2\n# a=tab\\there\n", r.out());
    }

    @Test
    void aMalformedFileIsOneErrorLineAndStatusTwo() throws Exception {
        Path file = write("bad.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", new byte[4]);
        Run r = run("inspect", file.toString());
        assertEquals(2, r.status());
        assertEquals("", r.out());
        assertOneErrorLine(r.err(), file.toString(), "tensor 'a'", "shape[0]");
    }

    @Test
    void trailingBytesAreAnError() throws Exception {
        Path file = write("trailing.safetensors", "{}", new byte[3]);
        Run r = run("inspect", file.toString());
        assertEquals(2, r.status());
        assertOneErrorLine(r.err(), file.toString(), "trailing bytes");
    }

    @Test
    void missingFileFolderAndShortFileAreErrors() throws Exception {
        Path missing = dir.resolve("missing.safetensors");
        Run r = run("inspect", missing.toString());
        assertEquals(2, r.status());
        assertOneErrorLine(r.err(), missing.toString(), "no such file");

        r = run("inspect", dir.toString());
        assertEquals(2, r.status());
        assertOneErrorLine(r.err(), dir.toString(), "is a folder");

        Path tiny = Files.write(dir.resolve("tiny.safetensors"), new byte[3]);
        r = run("inspect", tiny.toString());
        assertEquals(2, r.status());
        assertOneErrorLine(r.err(), tiny.toString(), "too short");
    }

    @Test
    void aMissingArgumentIsAnError() {
        Run r = run("inspect");
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("error: inspect: missing FILE"), r.err());
    }

    private Path write(String name, String header, byte[] data) throws Exception {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bytes = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(h.length).put(h).put(data);
        return Files.write(dir.resolve(name), bytes.array());
    }

    private static void assertOneErrorLine(String err, String... fragments) {
        assertTrue(err.startsWith("error: "), err);
        assertTrue(err.endsWith("\n") && err.indexOf('\n') == err.length() - 1, "exactly one line: " + err);
        for (String fragment : fragments) {
            assertTrue(err.contains(fragment), "'" + fragment + "' missing from: " + err);
        }
    }
}
