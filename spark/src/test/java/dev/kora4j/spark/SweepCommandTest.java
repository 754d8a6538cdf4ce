package dev.kora4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `kora sweep`'s refusals, all before any Spark context starts. */
class SweepCommandTest {
    @TempDir
    Path tmp;

    private record Run(int status, String err) {}

    private static Run run(String... args) {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int status = SweepCommand.execute(args);
            return new Run(status, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(err);
        }
    }

    @Test
    void cudaWithoutADeviceIsOneLineBeforeSparkStarts() throws Exception {
        assumeFalse(dev.kora4j.backend.cuda.CudaContext.available(), "a cuda device is present");
        Path spec = DemoData.sweepSpec(tmp);
        Run r = run("--spec", spec.toString(), "--out", tmp.resolve("out").toString(), "--device", "cuda");
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("error: --device cuda: cuda: "), r.err());
        assertFalse(r.err().contains("SparkContext"), "refused before Spark started: " + r.err());
    }

    @Test
    void aSweepFolderHoldingOtherRunsIsRefused() throws Exception {
        Path spec = DemoData.sweepSpec(tmp);
        RunSpec first = SweepSpec.read(spec).expand().getFirst();
        Path dir = Files.createDirectories(tmp.resolve("out").resolve("runs").resolve(first.id()));
        Files.writeString(dir.resolve(RunSpec.FILE), first.toJson().replace("\"seed\" : 0", "\"seed\" : 7"));
        Run r = run("--spec", spec.toString(), "--out", tmp.resolve("out").toString());
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("holds run lora-seed0 with other settings (seed, source"), r.err());
        assertFalse(r.err().contains("SparkContext"), "refused before Spark started");
    }

    @Test
    void badArgumentsAreOneLine() {
        Run missing = run("--out", tmp.toString());
        assertEquals(2, missing.status());
        assertEquals("error: sweep: Missing required option: '--spec=<spec>'", missing.err().strip());
        Run noFile = run("--spec", tmp.resolve("none.json").toString(), "--out", tmp.toString());
        assertEquals(2, noFile.status());
        assertEquals("error: " + tmp.resolve("none.json") + ": no such file", noFile.err().strip());
        Run threads = run("--spec", tmp.resolve("none.json").toString(), "--out", tmp.toString(), "--threads", "0");
        assertEquals("error: --threads must be at least 1, got 0", threads.err().strip());
    }
}
