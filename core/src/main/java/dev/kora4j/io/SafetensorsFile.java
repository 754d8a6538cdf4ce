package dev.kora4j.io;

import dev.kora4j.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An open, fully validated safetensors file. The data section is memory-mapped read-only as one
 * segment (a {@link MemorySegment} has 64-bit offsets, so files over 2 GiB work) and nothing is
 * copied to the heap until a tensor is asked for. Reads are safe from several threads; closing
 * unmaps the file, after which every read fails.
 */
public final class SafetensorsFile implements AutoCloseable {
    private final Path file;
    private final Header header;
    private final Map<String, TensorInfo> byName = new LinkedHashMap<>();
    private final Arena arena;
    private final MemorySegment data;
    private volatile boolean closed;

    private SafetensorsFile(Path file, Header header, Arena arena, MemorySegment data) {
        this.file = file;
        this.header = header;
        this.arena = arena;
        this.data = data;
        for (TensorInfo t : header.tensors()) {
            byName.put(t.name(), t);
        }
    }

    /** Opens and validates a file; see {@link Safetensors#open(Path)}. */
    static SafetensorsFile open(Path file) {
        if (Files.isDirectory(file)) {
            throw new SafetensorsException(file, "is a folder, not a safetensors file");
        }
        if (!Files.exists(file)) {
            throw new SafetensorsException(file, "no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new SafetensorsException(file, "is not a regular file");
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new SafetensorsException(file, "is " + size + " bytes long, too short for the 8-byte header length");
            }
            long prefix = read(file, channel, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            Limits limits = Limits.current();
            long headerLength = HeaderParser.checkHeaderLength(file, prefix, size, limits);
            byte[] headerBytes = read(file, channel, 8, (int) headerLength).array();
            Header header = HeaderParser.parse(file, headerBytes, size, limits);
            Arena arena = Arena.ofShared();
            try {
                long dataLength = size - header.dataStart();
                MemorySegment data = dataLength == 0 ? MemorySegment.ofArray(new byte[0])
                        : channel.map(FileChannel.MapMode.READ_ONLY, header.dataStart(), dataLength, arena);
                return new SafetensorsFile(file, header, arena, data);
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        } catch (IOException e) {
            throw new SafetensorsException(file, "cannot be read: " + IoErrors.describe(e), e);
        }
    }

    private static ByteBuffer read(Path file, FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new SafetensorsException(file, "ended at byte " + (position + buffer.position())
                        + " while the header was being read (was it changed meanwhile?)");
            }
        }
        return buffer.flip();
    }

    public Path path() {
        return file;
    }

    /** Tensor names in the order of their data in the file. */
    public List<String> names() {
        return List.copyOf(byName.keySet());
    }

    /** Every tensor's entry, in the order of their data in the file. */
    public List<TensorInfo> infos() {
        return header.tensors();
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** The entry of one tensor; an error naming the file and the tensor when there is none. */
    public TensorInfo info(String name) {
        TensorInfo info = byName.get(name);
        if (info == null) {
            List<String> names = names();
            String some = String.join(", ", names.subList(0, Math.min(5, names.size()))) + (names.size() > 5 ? ", ..." : "");
            throw new SafetensorsException(file, "has no tensor '" + name + "' (it has " + names.size() + " tensor"
                    + (names.size() == 1 ? "" : "s") + (names.isEmpty() ? "" : ": " + some) + ")");
        }
        return info;
    }

    /** The {@code __metadata__} entries in file order (empty when the header has none). */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /**
     * A tensor's values as a new cpu tensor: F32 for F32, F16 and BF16 (converted exactly), F64 for
     * F64. Integer tensors are read with {@link #longs} or {@link #ints}.
     */
    public Tensor tensor(String name) {
        TensorInfo info = info(name);
        return switch (info.dtype()) {
            case F32, F16, BF16 -> Tensor.of(ValueDecoder.floats(bytes(info), info.dtype(), count(info)), intShape(info));
            case F64 -> Tensor.of(ValueDecoder.doubles(bytes(info), count(info)), intShape(info));
            case I64, I32, U8, BOOL -> throw fail(info, "holds integers (" + info.dtype() + "); read it with longs() or ints()");
            default -> throw unsupported(info);
        };
    }

    /** An I64, I32, U8 or BOOL tensor's values in row-major order, widened to long. */
    public long[] longs(String name) {
        TensorInfo info = info(name);
        return switch (info.dtype()) {
            case I64, I32, U8, BOOL -> ValueDecoder.longs(bytes(info), info.dtype(), count(info));
            case F32, F16, BF16, F64 -> throw fail(info, "holds floating-point values (" + info.dtype() + "); read it with tensor()");
            default -> throw unsupported(info);
        };
    }

    /** Like {@link #longs}, narrowed to int; an error if an I64 value does not fit (labels always do). */
    public int[] ints(String name) {
        long[] values = longs(name);
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            if (values[i] != (int) values[i]) {
                throw fail(info(name), "element " + i + " is " + values[i] + ", outside the range of a 32-bit int");
            }
            out[i] = (int) values[i];
        }
        return out;
    }

    /** A tensor's bytes as stored, for any dtype (at most 2^31-1 bytes). */
    public RawTensor raw(String name) {
        TensorInfo info = info(name);
        if (info.byteSize() > Integer.MAX_VALUE - 8) {
            throw fail(info, "is " + info.byteSize() + " bytes, too large for one Java array");
        }
        return new RawTensor(info.dtype(), info.shape(), bytes(info).toArray(ValueLayout.JAVA_BYTE));
    }

    /** Unmaps the file. Tensors already read stay valid (they are copies). */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            arena.close();
        }
    }

    private MemorySegment bytes(TensorInfo info) {
        if (closed) {
            throw new SafetensorsException(file, "is closed; tensor '" + info.name() + "' can no longer be read");
        }
        return data.asSlice(info.begin(), info.byteSize());
    }

    /** The element count as an int: Java arrays hold at most 2^31-1 elements. */
    private int count(TensorInfo info) {
        if (info.numel() > Integer.MAX_VALUE - 8) {
            throw fail(info, "has " + info.numel() + " elements, too many for one Java array");
        }
        return (int) info.numel();
    }

    private int[] intShape(TensorInfo info) {
        long[] shape = info.shape();
        int[] out = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > Integer.MAX_VALUE) {
                throw fail(info, "dimension " + i + " is " + shape[i] + ", larger than a tensor dimension can be (2^31-1)");
            }
            out[i] = (int) shape[i];
        }
        return out;
    }

    private SafetensorsException unsupported(TensorInfo info) {
        return fail(info, "has dtype " + info.dtype() + ", whose values kora4j cannot read "
                + "(supported: F32, F64, F16, BF16, I64, I32, U8, BOOL); raw() gives its bytes");
    }

    private SafetensorsException fail(TensorInfo info, String problem) {
        return new SafetensorsException(file, "tensor '" + info.name() + "' " + problem);
    }
}
