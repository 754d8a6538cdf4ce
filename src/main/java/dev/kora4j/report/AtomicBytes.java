package dev.kora4j.report;

import dev.kora4j.io.AtomicWrite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Whole files written through {@link AtomicWrite}: a temporary file in the same folder, then a rename. */
final class AtomicBytes {
    private AtomicBytes() {}

    static void write(Path target, byte[] bytes) throws IOException {
        AtomicWrite.write(target, bytes);
    }

    static void write(Path target, String text) throws IOException {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }
}
