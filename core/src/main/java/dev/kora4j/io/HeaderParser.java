package dev.kora4j.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the length prefix and header bytes of a safetensors file into a {@link Header}, enforcing
 * every reader rule of the format (see the project's safetensors spec): the length limits, UTF-8,
 * the JSON shape, dtypes, integer shapes and offsets, contiguous offsets from 0, sizes that match
 * the dtype and shape, and a data section that ends exactly at the end of the file.
 */
final class HeaderParser {
    /** The reference reader's limit on the header length (MAX_HEADER_SIZE); {@link Limits#headerBytes} may lower it. */
    static final long MAX_HEADER_LENGTH = Limits.FORMAT_MAX_HEADER_BYTES;
    /** The JSON schema's bound on every integer in the header. */
    static final long MAX_INTEGER = (1L << 48) - 1;
    static final String METADATA_KEY = "__metadata__";
    private static final Set<String> ENTRY_FIELDS = Set.of("dtype", "shape", "data_offsets");

    // Duplicate keys: the format's README forbids them, so the parser rejects them instead of
    // letting a later entry silently replace an earlier one. Trailing tokens: the header is one
    // object (whitespace around it is fine, it is how the writer pads). The string limits are
    // raised so that any header within MAX_HEADER_LENGTH parses.
    private static final JsonMapper JSON = JsonMapper.builder(com.fasterxml.jackson.core.JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxStringLength((int) MAX_HEADER_LENGTH)
                            .maxNameLength((int) MAX_HEADER_LENGTH)
                            .build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Path file;
    private final Limits limits;

    private HeaderParser(Path file, Limits limits) {
        this.file = file;
        this.limits = limits;
    }

    /**
     * Checks the little-endian length prefix (read as unsigned) against the limit and the file
     * length, and returns it.
     */
    static long checkHeaderLength(Path file, long prefix, long fileLength, Limits limits) {
        long limit = limits.headerBytes();
        if (Long.compareUnsigned(prefix, limit) > 0) {
            throw new SafetensorsException(file, "header length " + Long.toUnsignedString(prefix) + " (bytes 0-7) is "
                    + (limit == MAX_HEADER_LENGTH ? "over the limit of " + limit + " bytes, the format's maximum"
                    : Limits.over("headerBytes", limit, "bytes")));
        }
        if (8 + prefix > fileLength) {
            throw new SafetensorsException(file, "header length " + prefix + " (bytes 0-7) runs past the end of the file: "
                    + "the header would end at byte " + (8 + prefix) + " but the file has " + fileLength + " bytes");
        }
        return prefix;
    }

    /** Parses and validates the header bytes (bytes 8 to 8+N of a file of {@code fileLength} bytes). */
    static Header parse(Path file, byte[] header, long fileLength, Limits limits) {
        return new HeaderParser(file, limits).parse(header, fileLength);
    }

    private Header parse(byte[] header, long fileLength) {
        JsonNode root = readJson(decodeUtf8(header));
        if (!root.isObject()) {
            throw fail("header is " + describe(root) + ", not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<TensorInfo> tensors = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = readMetadata(field.getValue());
            } else {
                tensors.add(readEntry(field.getKey(), field.getValue()));
            }
        }
        // The JSON order carries no meaning; readers go by offsets. Ties (empty tensors at the
        // same offset) are broken by name so that the order is stable.
        tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end)
                .thenComparing(TensorInfo::name));
        long dataStart = 8L + header.length;
        long end = checkLayout(tensors, dataStart);
        if (dataStart + end != fileLength) {
            throw fail("the tensors' data ends at byte " + (dataStart + end) + " of the file but the file has " + fileLength
                    + " bytes" + (dataStart + end < fileLength ? " (trailing bytes are not allowed)" : " (the file is cut short)"));
        }
        return new Header(tensors, metadata, dataStart);
    }

    private String decodeUtf8(byte[] header) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(header))
                    .toString();
        } catch (CharacterCodingException e) {
            throw fail("header (bytes 8 to " + (8 + header.length) + ") is not valid UTF-8");
        }
    }

    private JsonNode readJson(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            // Jackson has no dedicated type for a duplicate key; its message is the only marker.
            // The key itself comes from the parser's context, not from the message.
            String original = e.getOriginalMessage();
            if (original != null && original.startsWith("Duplicate") && e.getProcessor() instanceof JsonParser p
                    && p.getParsingContext() != null && p.getParsingContext().getCurrentName() != null) {
                String key = p.getParsingContext().getCurrentName();
                String where = p.getParsingContext().getParent() != null && p.getParsingContext().getParent().inRoot()
                        ? "" : " inside '" + p.getParsingContext().getParent().getCurrentName() + "'";
                throw fail("header has the key '" + key + "' twice" + where + " (duplicate keys are not allowed)");
            }
            String at = e.getLocation() != null && e.getLocation().getCharOffset() >= 0
                    ? " near character " + e.getLocation().getCharOffset() + " of the header" : "";
            throw fail("header is not valid JSON" + at);
        }
    }

    private Map<String, String> readMetadata(JsonNode node) {
        if (!node.isObject()) {
            throw fail("'" + METADATA_KEY + "' is " + describe(node) + "; it must be an object of string values");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                throw fail("'" + METADATA_KEY + "' entry '" + entry.getKey() + "' is " + describe(entry.getValue())
                        + "; metadata values must be strings");
            }
            metadata.put(entry.getKey(), entry.getValue().textValue());
        }
        return metadata;
    }

    private TensorInfo readEntry(String name, JsonNode node) {
        if (!node.isObject()) {
            throw failTensor(name, "entry is " + describe(node) + "; it must be an object with dtype, shape and data_offsets");
        }
        // The JSON schema forbids extra fields in a tensor entry; the reference reader would ignore
        // them, but a field we do not understand may change the meaning of the bytes, so we refuse.
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            if (!ENTRY_FIELDS.contains(field.getKey())) {
                throw failTensor(name, "unknown field '" + field.getKey() + "' (an entry has only dtype, shape and data_offsets)");
            }
        }
        JsonNode dtypeNode = required(name, node, "dtype");
        if (!dtypeNode.isTextual()) {
            throw failTensor(name, "dtype is " + describe(dtypeNode) + ", not a string");
        }
        SafetensorsDtype dtype = SafetensorsDtype.byName(dtypeNode.textValue());
        if (dtype == null) {
            throw failTensor(name, "unknown dtype '" + dtypeNode.textValue() + "'");
        }
        long[] shape = integers(name, "shape", required(name, node, "shape"), -1);
        long[] offsets = integers(name, "data_offsets", required(name, node, "data_offsets"), 2);
        return new TensorInfo(name, dtype, shape, offsets[0], offsets[1]);
    }

    private JsonNode required(String name, JsonNode entry, String field) {
        JsonNode value = entry.get(field);
        if (value == null) {
            throw failTensor(name, "entry has no " + field);
        }
        return value;
    }

    /** An array of non-negative integers within the schema's bound; {@code length} −1 means any. */
    private long[] integers(String name, String field, JsonNode node, int length) {
        if (!node.isArray()) {
            throw failTensor(name, field + " is " + describe(node) + ", not an array of integers");
        }
        if (length >= 0 && node.size() != length) {
            throw failTensor(name, field + " has " + node.size() + " entr" + (node.size() == 1 ? "y" : "ies") + ", expected "
                    + length + " (begin and end)");
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = node.get(i);
            // isIntegralNumber is false for 1.5 and also for 3.0 or 1e3: the format's integers are
            // written without fraction or exponent, and anything else is not an integer to us.
            if (v.isNumber() && !v.isIntegralNumber()) {
                throw failTensor(name, field + "[" + i + "] is written as a floating-point number (" + shorten(v.toString())
                        + "); it must be a non-negative integer");
            }
            if (!v.isIntegralNumber()) {
                throw failTensor(name, field + "[" + i + "] is " + describe(v) + ", not a non-negative integer");
            }
            if (v.bigIntegerValue().signum() < 0) {
                throw failTensor(name, field + "[" + i + "] is negative (" + v.asText() + ")");
            }
            if (!v.canConvertToLong() || v.longValue() > MAX_INTEGER) {
                throw failTensor(name, field + "[" + i + "] is " + v.asText() + ", over the format's limit of 2^48-1");
            }
            values[i] = v.longValue();
        }
        return values;
    }

    /**
     * Offsets must tile the data section from 0 without gaps or overlaps (in offset order), and
     * each tensor's byte count must be exactly its element count times its element size.
     * Returns the end of the last tensor (0 when there are none).
     */
    private long checkLayout(List<TensorInfo> tensors, long dataStart) {
        long expectedBegin = 0;
        String previous = null;
        for (TensorInfo t : tensors) {
            String offsets = "data_offsets [" + t.begin() + "," + t.end() + "]";
            if (t.end() < t.begin()) {
                throw failTensor(t.name(), offsets + " end before they begin");
            }
            if (t.begin() < expectedBegin) {
                throw failTensor(t.name(), offsets + " overlap tensor '" + previous + "', which ends at data offset "
                        + expectedBegin + " (file byte " + (dataStart + expectedBegin) + ")");
            }
            if (t.begin() > expectedBegin) {
                throw failTensor(t.name(), offsets + " leave a gap: bytes " + expectedBegin + " to " + t.begin()
                        + " of the data section (file bytes " + (dataStart + expectedBegin) + " to " + (dataStart + t.begin())
                        + ") belong to no tensor" + (previous == null ? " (the first tensor must start at 0)" : ""));
            }
            long bytes = expectedBytes(t);
            if (t.byteSize() != bytes) {
                throw failTensor(t.name(), offsets + " span " + t.byteSize() + " bytes but " + t.dtype() + " " + t.shapeString()
                        + " needs " + bytes);
            }
            expectedBegin = t.end();
            previous = t.name();
        }
        return expectedBegin;
    }

    /** numel × bits / 8 with checked arithmetic; overflow and partial bytes are errors. */
    private long expectedBytes(TensorInfo t) {
        long bits;
        try {
            long n = 1;
            for (long d : t.shape()) {
                n = Math.multiplyExact(n, d);
            }
            bits = Math.multiplyExact(n, t.dtype().bits());
        } catch (ArithmeticException e) {
            throw failTensor(t.name(), "shape " + t.shapeString() + " of " + t.dtype() + " is too large: its size overflows 64 bits");
        }
        if (t.numel() > limits.tensorElements()) {
            throw failTensor(t.name(), "shape " + t.shapeString() + " declares " + t.numel() + " elements, "
                    + Limits.over("tensorElements", limits.tensorElements()));
        }
        if (bits % 8 != 0) {
            throw failTensor(t.name(), "shape " + t.shapeString() + " of " + t.dtype() + " is " + bits
                    + " bits, not a whole number of bytes");
        }
        return bits / 8;
    }

    private static String describe(JsonNode node) {
        if (node.isMissingNode()) {
            return "empty";
        }
        return switch (node.getNodeType()) {
            case OBJECT -> "an object";
            case ARRAY -> "an array";
            case STRING -> "a string (" + shorten(node.toString()) + ")";
            case NUMBER -> "the number " + shorten(node.toString());
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "a " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** Keeps messages one readable line even when the offending value is huge. */
    private static String shorten(String text) {
        return text.length() <= 60 ? text : text.substring(0, 57) + "...";
    }

    private SafetensorsException fail(String problem) {
        return new SafetensorsException(file, problem);
    }

    private SafetensorsException failTensor(String name, String problem) {
        return new SafetensorsException(file, "tensor '" + name + "': " + problem);
    }
}
