package dev.kora4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kora4j.backend.Backends;
import dev.kora4j.backend.BinaryOp;
import dev.kora4j.backend.UnaryOp;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Tensor;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What of the cuda backend can be checked without a GPU: the fatbin in the build, the Java side and
 * the kernels agreeing on names and codes, the error without a device, and cpu runs loading no JCuda.
 */
class CudaBuildTest {
    private static final Path KERNELS = Path.of("kernels");
    private static final Path CUDA_SOURCES = Path.of("core/src/main/java/dev/kora4j/backend/cuda");

    @Test
    void fatbinIsPackagedWhenNvccWasPresent() throws IOException {
        try (InputStream in = CudaContext.class.getResourceAsStream(CudaContext.FATBIN)) {
            assumeTrue(in != null, "built without nvcc: no kora.fatbin");
            byte[] head = in.readNBytes(4);
            // A fatbin starts with the magic 0xBA55ED50 (little-endian).
            assertEquals(0xBA55ED50, (head[0] & 0xff) | (head[1] & 0xff) << 8 | (head[2] & 0xff) << 16 | (head[3] & 0xff) << 24);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String allOf(Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return String.join("\n", files.filter(p -> p.toString().endsWith(suffix)).sorted().map(CudaBuildTest::read).toList());
        }
    }

    private static Map<String, Integer> defines(String source) {
        Map<String, Integer> out = new HashMap<>();
        Matcher m = Pattern.compile("#define (\\w+) (\\d+)").matcher(source);
        while (m.find()) {
            out.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        return out;
    }

    /** The op names of a table's lines, NAME in {@code MACRO(NAME, ...)}, in order. */
    private static List<String> tableNames(String file, String macro) throws IOException {
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^" + macro + "\\((\\w+),").matcher(Files.readString(KERNELS.resolve(file)));
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** Where the kernels were compiled and g++ is present, the gpu tests must find the stand-in, not skip for want of it. */
    @Test
    void theStandInIsWhereTheTestsLookForIt() {
        assumeTrue(Files.isRegularFile(Path.of("core", "target", "kernels-ptxas.txt")), "the kernels were not compiled here");
        assumeTrue(Stream.of(System.getenv("PATH").split(":")).anyMatch(dir -> Files.isExecutable(Path.of(dir, "g++"))), "no g++");
        Path standIn = Path.of(System.getProperty("kora.cuda.emulator.dir", "(kora.cuda.emulator.dir is not set)"));
        assertTrue(Files.isRegularFile(standIn.resolve("libcuda.so.1")), "the CUDA stand-in is not in " + standIn);
    }

    @Test
    void opCodesAndLimitsAgreeWithTheKernels() throws IOException {
        assumeTrue(Files.isDirectory(KERNELS), "kernels/ is not beside the tests");
        Map<String, Integer> d = defines(allOf(KERNELS, ".h") + "\n" + allOf(KERNELS, ".cuh") + "\n" + allOf(KERNELS, ".cu"));
        assertEquals(Arrays.stream(UnaryOp.values()).map(Enum::name).toList(), tableNames("unary_ops.def", "UNARY"),
                "kernels/unary_ops.def lists the ops of UnaryOp, in its order (the order is the op code)");
        assertEquals(Arrays.stream(BinaryOp.values()).map(Enum::name).toList(), tableNames("binary_ops.def", "BINARY"),
                "kernels/binary_ops.def lists the ops of BinaryOp, in its order (the order is the op code)");
        for (UnaryOp op : UnaryOp.values()) {
            assertEquals(op.ordinal(), CudaOps.code(op), op.name());
        }
        assertEquals(d.get("MAX_RANK"), CudaTensors.MAX_RANK, "MAX_RANK");
        assertEquals(d.get("KORA_MAX_DC"), CudaFused.KORA_MAX_DC, "KORA_MAX_DC");
        assertEquals(d.get("ATT_TILE"), CudaFused.ATT_TILE, "ATT_TILE");
        assertEquals(d.get("ATT_MAX_HD"), CudaFused.ATT_MAX_HD, "ATT_MAX_HD");
    }

    @Test
    void everyLaunchedKernelIsDefined() throws IOException {
        assumeTrue(Files.isDirectory(KERNELS) && Files.isDirectory(CUDA_SOURCES), "sources are not beside the tests");
        Set<String> defined = new HashSet<>();
        Matcher k = Pattern.compile("extern \"C\" __global__ void (?:__launch_bounds__\\([^)]*\\)\\s*)?(\\w+)\\s*\\(").matcher(allOf(KERNELS, ".cu"));
        while (k.find()) {
            defined.add(k.group(1));
        }
        Set<String> launched = new HashSet<>();
        Matcher l = Pattern.compile("launch(?:1d)?\\(\"(\\w+)\"").matcher(allOf(CUDA_SOURCES, ".java"));
        while (l.find()) {
            launched.add(l.group(1));
        }
        assertFalse(launched.isEmpty());
        for (String name : launched) {
            assertTrue(defined.contains(name), "kernel " + name + " is launched but not defined in kernels/*.cu");
        }
        for (String name : defined) {
            assertTrue(launched.contains(name), "kernel " + name + " is defined but never launched");
        }
    }

    @Test
    void withoutADeviceCudaSaysWhyInOneLine() {
        assumeFalse(CudaContext.available(), "a cuda device is present");
        for (var attempt : List.<Runnable>of(() -> Backends.of(Device.CUDA), () -> Tensor.zeros(DType.F32, Device.CUDA, 3))) {
            CudaUnavailableException e = assertThrows(CudaUnavailableException.class, attempt::run);
            assertTrue(e.getMessage().startsWith("cuda: "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
    }

    /** The engine's module reads JCuda statically: a runtime without it gets one line saying so, not a linkage error. */
    @Test
    void withoutJCudaCudaSaysSoInOneLine() throws Exception {
        String classPath = Stream.of(CudaSupport.childClassPath().split(File.pathSeparator))
                .filter(entry -> !Path.of(entry).getFileName().toString().startsWith("jcu")).collect(Collectors.joining(File.pathSeparator));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--add-modules", "jdk.incubator.vector", "-cp", classPath,
                WithoutJCudaProbe.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe did not finish");
        List<String> lines = out.lines().filter(l -> !l.startsWith("WARNING")).toList();
        assertEquals(2, lines.size(), out);
        for (String line : lines) {
            assertTrue(line.startsWith("CudaUnavailableException: cuda: JCuda is not on this runtime's class or module path"), out);
        }
    }

    @Test
    void cpuRunsLoadNoJCudaNatives() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "needs Linux's /proc/self/maps");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), CpuOnlyProbe.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe did not finish");
        assertEquals(0, p.exitValue(), out);
    }
}
