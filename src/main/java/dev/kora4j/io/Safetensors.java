package dev.kora4j.io;

import java.nio.file.Path;

/**
 * Reading and writing safetensors files, the format of weights, adapters, checkpoints and golden
 * tensors in this project. Every problem is a {@link SafetensorsException} whose message names
 * the file and says what is wrong.
 */
public final class Safetensors {
    private Safetensors() {}

    /**
     * Opens a file and validates its whole header (lengths, JSON, dtypes, shapes, offsets, sizes,
     * no trailing bytes) before returning. Close it to unmap the file.
     */
    public static SafetensorsFile open(Path file) {
        return SafetensorsFile.open(file);
    }
}
