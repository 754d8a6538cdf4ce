package dev.kora4j.io;

import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Tensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

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

    /**
     * Writes tensors atomically (the file appears whole or not at all). Each value is a
     * {@link dev.kora4j.tensor.Tensor} (F32 or F64, any layout) or a {@link RawTensor} (any dtype,
     * e.g. I64 labels). {@code metadata} may be null or empty; its entries are written sorted by key.
     */
    public static void write(Path file, Map<String, ?> tensors, Map<String, String> metadata) {
        SafetensorsWriter.write(file, tensors, metadata);
    }

    /** Every tensor of a file, in its order, converted to {@code dtype}, on the heap. */
    public static Map<String, Tensor> readAll(Path file, DType dtype) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        try (SafetensorsFile f = open(file)) {
            for (String name : f.names()) {
                tensors.put(name, f.tensor(name).to(dtype));
            }
        }
        return tensors;
    }

    /** Writes tensors without metadata. */
    public static void write(Path file, Map<String, ?> tensors) {
        write(file, tensors, null);
    }
}
