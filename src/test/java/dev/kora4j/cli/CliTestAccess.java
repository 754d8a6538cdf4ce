package dev.kora4j.cli;

/** CliTest's in-process runner for tests in other packages. */
public final class CliTestAccess {
    private CliTestAccess() {}

    public record Run(int status, String out, String err) {}

    public static Run run(String... args) {
        CliTest.Run r = CliTest.run(args);
        return new Run(r.status(), r.out(), r.err());
    }
}
