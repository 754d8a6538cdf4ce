package dev.kora4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
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
        // core's classes are the module dev.kora4j.core, which reads Jackson's modules: jdeps needs them to resolve it
        String jackson = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(jar -> Path.of(jar).getFileName().toString().startsWith("jackson-")).collect(Collectors.joining(File.pathSeparator));
        Process p = new ProcessBuilder(jdeps.toString(), "--print-module-deps", "--ignore-missing-deps", "--multi-release",
                String.valueOf(Runtime.version().feature()), "--module-path", jackson,
                "core/target/classes", "target/classes", "target/test-classes").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "jdeps did not finish");
        assertEquals(0, p.exitValue(), out);
        Set<String> used = new TreeSet<>(Arrays.asList(out.substring(out.lastIndexOf('\n') + 1).split(",")));
        used.removeAll(bundled);
        used.removeIf(module -> !module.startsWith("java.") && !module.startsWith("jdk.")); // Jackson's come as jars
        assertTrue(used.isEmpty(), "the code uses " + used + ", which " + MODULES + " leaves out of the bundle's runtime");
    }
}
