package dev.kora4j.io;

/**
 * A file, configuration or data set that kora4j cannot accept. The message names the source (file,
 * key, entry or byte offset) and what is wrong; the CLI prints it as one `error:` line (exit 2).
 */
public class InputException extends RuntimeException {
    public InputException(String message) {
        super(message);
    }

    public InputException(String message, Throwable cause) {
        super(message, cause);
    }
}
