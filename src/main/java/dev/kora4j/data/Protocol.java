package dev.kora4j.data;

import java.util.Locale;

/**
 * How data is labelled and checked. CORRECTED is the default and refuses a split that cannot
 * measure anything; SEED reproduces the seed notebook, mistakes included, and only warns.
 */
public enum Protocol {
    /** Labels from the data set's own conventions (wnids.txt, folders, annotations); bad splits are errors. */
    CORRECTED,
    /** The seed notebook's labelling (timm's ImageDataset: label = parent folder name); bad splits are warnings. */
    SEED;

    /** "corrected" or "seed", as the command line spells them. */
    public static Protocol parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "corrected" -> CORRECTED;
            case "seed" -> SEED;
            default -> throw new IllegalArgumentException("unknown protocol \"" + s + "\"; expected corrected or seed");
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
