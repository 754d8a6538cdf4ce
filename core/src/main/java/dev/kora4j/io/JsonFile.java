package dev.kora4j.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A JSON object read from a file, with typed getters whose errors name the file and the key. */
public final class JsonFile {
    /** Config files are small; anything bigger is not one. */
    private static final long MAX_BYTES = 1 << 20;
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final String source;
    private final JsonNode root;

    private JsonFile(String source, JsonNode root) {
        this.source = source;
        this.root = root;
    }

    public static JsonFile read(Path path) {
        String source = path.toString();
        try {
            if (Files.isDirectory(path)) {
                throw new InputException(source + ": is a directory, not a JSON file");
            }
            if (Files.size(path) > MAX_BYTES) {
                throw new InputException(source + ": " + Files.size(path) + " bytes is too large for a configuration file");
            }
            return parse(source, Files.readString(path));
        } catch (NoSuchFileException e) {
            throw new InputException(source + ": no such file");
        } catch (CharacterCodingException e) {
            throw new InputException(source + ": is not UTF-8 text");
        } catch (IOException e) {
            throw new InputException(source + ": cannot be read (" + IoErrors.describe(e) + ")");
        }
    }

    public static JsonFile parse(String source, String text) {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InputException(source + ": not valid JSON at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + (e.getOriginalMessage().contains("Duplicate field")
                    ? " (a key appears twice)" : ""));
        }
        if (root == null || !root.isObject()) {
            throw new InputException(source + ": must hold a JSON object");
        }
        return new JsonFile(source, root);
    }

    public String source() {
        return source;
    }

    public JsonNode root() {
        return root;
    }

    public boolean has(String key) {
        return root.has(key) && !root.get(key).isNull();
    }

    /** A nested object as its own JsonFile (errors then name "file: key.sub"). */
    public JsonFile object(String key) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            return new JsonFile(source + ": " + key, MAPPER.createObjectNode());
        }
        if (!n.isObject()) {
            throw error(key, "must be an object");
        }
        return new JsonFile(source + ": " + key, n);
    }

    public List<String> keys() {
        List<String> keys = new ArrayList<>();
        root.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    public String string(String key) {
        JsonNode n = root.get(key);
        if (n == null || n.isNull()) {
            throw error(key, "is missing");
        }
        if (!n.isTextual()) {
            throw error(key, "must be a string, got " + n);
        }
        return n.asText();
    }

    public String string(String key, String fallback) {
        return has(key) ? string(key) : fallback;
    }

    /** An integer within [min, max]; 3.0 or "3" are not integers. */
    public int integer(String key, int fallback, long min, long max) {
        if (!has(key)) {
            return fallback;
        }
        return integerValue(key, root.get(key), min, max);
    }

    public int integer(String key, long min, long max) {
        if (!has(key)) {
            throw error(key, "is missing");
        }
        return integerValue(key, root.get(key), min, max);
    }

    private int integerValue(String key, JsonNode n, long min, long max) {
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw error(key, "must be an integer, got " + n);
        }
        long v = n.asLong();
        if (v < min || v > max) {
            throw error(key, "must be between " + min + " and " + max + ", got " + v);
        }
        return (int) v;
    }

    public double number(String key, double fallback, double min, double max) {
        if (!has(key)) {
            return fallback;
        }
        JsonNode n = root.get(key);
        if (!n.isNumber()) {
            throw error(key, "must be a number, got " + n);
        }
        double v = n.asDouble();
        if (!(v >= min && v <= max)) {
            throw error(key, "must be between " + min + " and " + max + ", got " + n);
        }
        return v;
    }

    public boolean bool(String key, boolean fallback) {
        if (!has(key)) {
            return fallback;
        }
        JsonNode n = root.get(key);
        if (!n.isBoolean()) {
            throw error(key, "must be true or false, got " + n);
        }
        return n.asBoolean();
    }

    /** A list of strings; a single string counts as a one-element list when {@code stringAllowed}. */
    public List<String> strings(String key, List<String> fallback) {
        if (!has(key)) {
            return fallback;
        }
        JsonNode n = root.get(key);
        if (!n.isArray()) {
            throw error(key, "must be a list of strings, got " + n);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : n) {
            if (!item.isTextual()) {
                throw error(key, "must be a list of strings, got " + n);
            }
            out.add(item.asText());
        }
        return out;
    }

    public InputException error(String key, String what) {
        return new InputException(source + ": " + key + " " + what);
    }
}
