package dev.kora4j.data;

import java.util.Locale;

/** Which part of a data set: the one trained on, the one evaluated during development, the held-out one. */
public enum Split {
    TRAIN,
    VAL,
    TEST;

    /** "train", "val" or "test", as the command line spells them. */
    public static Split parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "train" -> TRAIN;
            case "val" -> VAL;
            case "test" -> TEST;
            default -> throw new IllegalArgumentException("unknown split \"" + s + "\"; expected train, val or test");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
