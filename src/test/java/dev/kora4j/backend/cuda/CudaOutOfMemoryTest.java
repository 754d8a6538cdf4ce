package dev.kora4j.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Device out-of-memory handled by the allocator (empty the cache, collect, retry, then one clear
 * error), on the CUDA stand-in with its capacity set to 64 MiB (KORA_CUDA_EMULATOR_MEMORY) in a
 * JVM of its own: CudaMemoryProbe.
 */
@Tag("gpu")
class CudaOutOfMemoryTest {
    @Test
    void theAllocatorEmptiesItsCacheCollectsAndThenSaysSo() throws Exception {
        Path standIn = Path.of(System.getProperty("kora.cuda.emulator.dir", "core/target/cuda-emulator"));
        assumeTrue(Files.isRegularFile(standIn.resolve("libcuda.so.1")), "the CUDA stand-in is not in " + standIn);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-Xmx1g", "-Dkora.cuda.emulator.dir=" + standIn.toAbsolutePath(), "-cp", CudaSupport.childClassPath(),
                CudaMemoryProbe.class.getName()).redirectErrorStream(true);
        pb.environment().put("KORA_CUDA_EMULATOR", "1");
        pb.environment().put("KORA_CUDA_EMULATOR_MEMORY", "64M");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the probe did not finish");
        System.out.println(out);
        assertEquals(0, p.exitValue(), out);
        assertEquals(6, out.lines().filter(l -> l.startsWith("ok ")).count(), out);
    }
}
