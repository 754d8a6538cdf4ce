package dev.kora4j.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.FloatStorage;
import dev.kora4j.tensor.DoubleStorage;
import dev.kora4j.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes safetensors files the way the reference writer does: tensors sorted by dtype (widest
 * alignment first) then by name, offsets contiguous from 0, {@code __metadata__} first in the
 * header, entry fields in the order dtype, shape, data_offsets, and the header padded with spaces
 * to a multiple of 8 so that every tensor is naturally aligned in the file.
 */
final class SafetensorsWriter {
    private static final JsonFactory JSON = new JsonFactory();
    /** Tensor data goes out through a buffer of this size, so no tensor is copied whole. */
    private static final int CHUNK_BYTES = 1 << 20;

    private SafetensorsWriter() {}

    /** One tensor to write: its entry and how to produce its bytes. */
    private record Item(String name, SafetensorsDtype dtype, long[] shape, long byteSize, Object values) {}

    static void write(Path file, Map<String, ?> tensors, Map<String, String> metadata) {
        List<Item> items = new ArrayList<>();
        for (Map.Entry<String, ?> entry : tensors.entrySet()) {
            items.add(item(file, entry.getKey(), entry.getValue()));
        }
        // Same order as the reference writer: dtype descending, then name by its UTF-8 bytes.
        items.sort(Comparator.comparing(Item::dtype, Comparator.reverseOrder())
                .thenComparing((a, b) -> Arrays.compareUnsigned(utf8(a.name()), utf8(b.name()))));
        byte[] header = header(file, items, metadata);
        try {
            AtomicWrite.write(file, out -> {
                ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
                writeFully(out, prefix);
                writeFully(out, ByteBuffer.wrap(header));
                ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
                for (Item item : items) {
                    writeValues(out, chunk, item.values());
                }
            });
        } catch (IOException e) {
            throw new SafetensorsException(file, "could not be written: " + IoErrors.describe(e), e);
        }
    }

    private static Item item(Path file, String name, Object value) {
        if (name == null || name.equals(HeaderParser.METADATA_KEY)) {
            throw new SafetensorsException(file, "cannot store a tensor named '" + name + "' (the name is reserved)");
        }
        if (value instanceof RawTensor raw) {
            return new Item(name, raw.dtype(), raw.shape(), raw.data().length, raw.data());
        }
        if (value instanceof Tensor t) {
            long[] shape = Arrays.stream(t.shape()).asLongStream().toArray();
            // The tensor's own array when it is laid out plainly, otherwise a row-major copy.
            boolean plain = t.isContiguous() && t.offset() == 0 && t.storage().size() == t.numel();
            if (t.dtype() == DType.F32) {
                float[] values = plain && t.storage() instanceof FloatStorage fs ? fs.data() : t.toFloatArray();
                return new Item(name, SafetensorsDtype.F32, shape, 4L * values.length, values);
            }
            if (t.dtype() == DType.F64) {
                double[] values = plain && t.storage() instanceof DoubleStorage ds ? ds.data() : t.toDoubleArray();
                return new Item(name, SafetensorsDtype.F64, shape, 8L * values.length, values);
            }
            throw new SafetensorsException(file, "tensor '" + name + "' has dtype " + t.dtype() + ", which cannot be written");
        }
        throw new SafetensorsException(file, "tensor '" + name + "' is "
                + (value == null ? "null" : "a " + value.getClass().getSimpleName()) + "; expected a Tensor or a RawTensor");
    }

    /** The header bytes, padded with spaces to a multiple of 8. */
    private static byte[] header(Path file, List<Item> items, Map<String, String> metadata) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator json = JSON.createGenerator(bytes)) {
            json.writeStartObject();
            if (metadata != null && !metadata.isEmpty()) {
                json.writeObjectFieldStart(HeaderParser.METADATA_KEY);
                // Sorted, so that the same content always gives the same bytes.
                for (Map.Entry<String, String> entry : new TreeMap<>(metadata).entrySet()) {
                    if (entry.getValue() == null) {
                        throw new SafetensorsException(file, "metadata '" + entry.getKey() + "' has no value");
                    }
                    json.writeStringField(entry.getKey(), entry.getValue());
                }
                json.writeEndObject();
            }
            long offset = 0;
            for (Item item : items) {
                json.writeObjectFieldStart(item.name());
                json.writeStringField("dtype", item.dtype().name());
                json.writeArrayFieldStart("shape");
                for (long d : item.shape()) {
                    json.writeNumber(d);
                }
                json.writeEndArray();
                json.writeArrayFieldStart("data_offsets");
                json.writeNumber(offset);
                json.writeNumber(offset + item.byteSize());
                json.writeEndArray();
                json.writeEndObject();
                offset += item.byteSize();
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory failed", e);
        }
        int padding = (8 - bytes.size() % 8) % 8;
        for (int i = 0; i < padding; i++) {
            bytes.write(' ');
        }
        if (bytes.size() > HeaderParser.MAX_HEADER_LENGTH) {
            throw new SafetensorsException(file, "header would be " + bytes.size() + " bytes, over the limit of "
                    + HeaderParser.MAX_HEADER_LENGTH);
        }
        return bytes.toByteArray();
    }

    private static void writeValues(FileChannel out, ByteBuffer chunk, Object values) throws IOException {
        switch (values) {
            case byte[] b -> writeFully(out, ByteBuffer.wrap(b));
            case float[] f -> {
                for (int i = 0; i < f.length; ) {
                    int n = Math.min(f.length - i, CHUNK_BYTES / 4);
                    chunk.clear().asFloatBuffer().put(f, i, n);
                    writeFully(out, chunk.limit(4 * n));
                    i += n;
                }
            }
            case double[] d -> {
                for (int i = 0; i < d.length; ) {
                    int n = Math.min(d.length - i, CHUNK_BYTES / 8);
                    chunk.clear().asDoubleBuffer().put(d, i, n);
                    writeFully(out, chunk.limit(8 * n));
                    i += n;
                }
            }
            default -> throw new IllegalStateException("unexpected values " + values.getClass());
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
