package dev.kora4j.io;

import java.nio.file.Path;

/**
 * The one error type of the safetensors reader and writer. The message always starts with the
 * file, then says what is wrong in our own words (which tensor, which bytes), so that callers such
 * as the CLI can show it as is.
 */
public final class SafetensorsException extends InputException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public SafetensorsException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public SafetensorsException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file the error is about. */
    public Path file() {
        return file;
    }
}
