package dev.kora4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.cli.UserError;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spark configuration a sweep asks for, and the GPU discovery script it names (no Spark context here). */
class SparkSetupTest {
    @TempDir
    Path tmp;

    @Test
    void onAClusterCudaAsksForOneGpuPerTaskFoundByTheRepositorysScript() {
        SparkConf c = new SparkConf();
        SparkSetup.askForGpus(c, DemoData.home());
        assertEquals("1", c.get("spark.task.resource.gpu.amount"));
        assertEquals("1", c.get("spark.executor.resource.gpu.amount"));
        assertEquals(DemoData.home().resolve("spark/gpu-discovery.sh").toString(), c.get("spark.executor.resource.gpu.discoveryScript"));
    }

    /** Local mode schedules no task that asks for a GPU: its runs take this process's device in turn. */
    @Test
    void locallyCudaRunsOneTaskAtATimeAndAsksSparkForNoGpu() {
        SparkConf c = SparkSetup.conf("t", "local[2]", "cuda", 3, Map.of(), DemoData.home());
        assertEquals("2", c.get("spark.task.cpus"));
        assertFalse(c.contains("spark.task.resource.gpu.amount"));
        assertEquals(1, SparkSetup.localSlots("local"));
        assertEquals(Runtime.getRuntime().availableProcessors(), SparkSetup.localSlots("local[*]"));
        assertEquals(3, SparkSetup.localSlots("local[3,2]"));
        assertTrue(c.get("spark.executor.extraJavaOptions").contains("--add-modules=jdk.incubator.vector"));
        assertTrue(c.get("spark.executor.extraJavaOptions").endsWith("-Dkora.threads=3"));
        assertFalse(c.contains("spark.jars"), "local mode ships nothing");
        assertThrows(UserError.class, () -> SparkSetup.conf("t", "local", "tpu", null, Map.of(), DemoData.home()));
    }

    @Test
    void theUsersExecutorFlagsComeAfterTheEngines() {
        SparkConf c = SparkSetup.conf("t", "local", "cpu", null, Map.of("spark.executor.extraJavaOptions", "-Xss8m"), DemoData.home());
        assertEquals(SparkSetup.EXECUTOR_FLAGS + " -Xss8m", c.get("spark.executor.extraJavaOptions"));
        assertFalse(c.contains("spark.task.resource.gpu.amount"));
    }

    @Test
    void aClusterNeedsTheJarsWhichClassFoldersAreNot() {
        UserError e = assertThrows(UserError.class, () -> SparkSetup.conf("t", "spark://host:7077", "cpu", null, Map.of(), DemoData.home()));
        assertTrue(e.getMessage().contains("run it through bin/kora sweep"), e.getMessage());
        assertTrue(SparkSetup.isLocal("local[2,2]") && SparkSetup.isLocal("local") && !SparkSetup.isLocal("spark://h:7077"));
        assertEquals(Map.of("spark.executor.memory", "8g", "a", "b=c"), Sweep.parseConf(java.util.List.of("spark.executor.memory=8g", "a=b=c")));
        assertThrows(UserError.class, () -> Sweep.parseConf(java.util.List.of("novalue")));
    }

    @Test
    void theDiscoveryScriptListsTheGpusNvidiaSmiShows() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path smi = Files.writeString(bin.resolve("nvidia-smi"), "#!/bin/sh\nprintf '0\\n 1\\n'\n");
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path script = DemoData.home().resolve(SparkSetup.GPU_SCRIPT);
        assertEquals("{\"name\": \"gpu\", \"addresses\": [\"0\", \"1\"]}", run(script, bin + ":/usr/bin:/bin").strip());
        Files.delete(smi);
        assertEquals("exit 1", run(script, bin + ":/usr/bin:/bin"));
    }

    private static String run(Path script, String path) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString());
        pb.environment().put("PATH", path);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return p.waitFor() == 0 ? out : "exit " + p.exitValue();
    }
}
