package dev.kora4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The GPU bundle's jlink'd runtime (scripts/gpu-bundle-modules.txt) holds every JDK module that
 * kora4j's classes and tests use, as jdeps finds them: a module left out fails only on the GPU host.
 */
class GpuBundleModulesTest {
    private static final Path MODULES = Path.of("scripts", "gpu-bundle-modules.txt");

    @Test
    void theBundleRuntimeHasEveryModuleTheCodeUses() throws Exception {
        Path jdeps = Path.of(System.getProperty("java.home"), "bin", "jdeps");
        assumeTrue(Files.isExecutable(jdeps) && Files.isRegularFile(MODULES), "needs the JDK's jdeps and the scripts beside the tests");
        Set<String> bundled = Files.readAllLines(MODULES).stream().map(l -> l.replaceAll("#.*", "").strip())
                .filter(l -> !l.isEmpty()).collect(Collectors.toCollection(TreeSet::new));
        Process p = new ProcessBuilder(jdeps.toString(), "--print-module-deps", "--ignore-missing-deps", "--multi-release",
                String.valueOf(Runtime.version().feature()), "target/classes", "target/test-classes").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "jdeps did not finish");
        assertEquals(0, p.exitValue(), out);
        Set<String> used = new TreeSet<>(Arrays.asList(out.substring(out.lastIndexOf('\n') + 1).split(",")));
        used.removeAll(bundled);
        assertTrue(used.isEmpty(), "the code uses " + used + ", which " + MODULES + " leaves out of the bundle's runtime");
    }
}
