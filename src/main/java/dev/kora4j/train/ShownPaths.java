package dev.kora4j.train;

import dev.kora4j.data.DataSpec;
import java.nio.file.Path;

/**
 * Paths as results.json and report.md show them: as the user gave them when relative, and relative
 * to the run folder when absolute, so that a report names no folder of the machine it ran on.
 */
final class ShownPaths {
    private ShownPaths() {}

    static String of(Path path, Path runFolder) {
        if (!path.isAbsolute()) {
            return path.toString();
        }
        return runFolder.toAbsolutePath().normalize().relativize(path.normalize()).toString();
    }

    static String of(DataSpec data, Path runFolder) {
        return data.kind() + ":" + of(data.dir(), runFolder);
    }
}
