package dev.kora4j.autograd;

/**
 * Whether ops record themselves on the tape (per thread). Use as
 * {@code try (var scope = GradMode.noGrad()) { ... }}.
 */
public final class GradMode {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> Boolean.TRUE);

    private GradMode() {}

    public static boolean isEnabled() {
        return ENABLED.get();
    }

    /** Disables recording until the returned scope is closed; scopes nest. */
    public static Scope noGrad() {
        boolean previous = ENABLED.get();
        ENABLED.set(Boolean.FALSE);
        return () -> ENABLED.set(previous);
    }

    /** A scope that restores the previous mode when closed; closing never throws. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
