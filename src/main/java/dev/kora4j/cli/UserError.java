package dev.kora4j.cli;

/** Bad input from the user: reported as one `error:` line and exit status 2, without a stack trace. */
public final class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
