package dev.kora4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.cli.CliTestAccess;
import dev.kora4j.io.Safetensors;
import dev.kora4j.io.SafetensorsFile;
import dev.kora4j.report.Experiment;
import dev.kora4j.report.ResultsJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A training run killed with SIGKILL and resumed ends exactly where the uninterrupted run ends. */
class ResumeTest {
    @TempDir
    Path tmp;

    private List<String> args(Path data, Path model, Path weights, Path adapter, Path out) {
        return new ArrayList<>(List.of("train", "--model", model.toString(), "--weights", weights.toString(),
                "--adapter-config", adapter.toString(), "--data", "idx:" + data, "--epochs", "2", "--batch", "8", "--lr", "2e-3",
                "--seed", "3", "--checkpoint-every", "5", "--workers", "0", "--threads", "2", "--out", out.toString()));
    }

    @Test
    void aKilledRunResumesToTheSameResults() throws Exception {
        Path data = TinyTask.data(tmp, 512, 64);
        Path model = TinyTask.modelConfig(tmp), weights = TinyTask.backbone(tmp), kora = TinyTask.adapter(tmp, "kora", TinyTask.KORA);
        Path whole = tmp.resolve("whole"), killed = tmp.resolve("killed");
        assertEquals(0, CliTestAccess.run(args(data, model, weights, kora, whole).toArray(String[]::new)).status());

        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--add-modules", "jdk.incubator.vector", "-Dkora.progress=false",
                "-Dkora.simd=" + System.getProperty("kora.simd", "true"), // the same kernels as this JVM's, so the same bits
                "-cp", System.getProperty("java.class.path"),
                "dev.kora4j.cli.Main"));
        command.addAll(args(data, model, weights, kora, killed));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(tmp.resolve("killed.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (stepOf(killed) < 20 && process.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(process.isAlive(), "the run was still going when killed: " + Files.readString(tmp.resolve("killed.log")));
        process.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no last save
        long stepAtKill = stepOf(killed);
        assertTrue(stepAtKill >= 20 && stepAtKill < 128, "killed mid-run, at step " + stepAtKill);

        List<String> resume = args(data, model, weights, kora, killed);
        resume.add("--resume");
        CliTestAccess.Run resumed = CliTestAccess.run(resume.toArray(String[]::new));
        assertEquals(0, resumed.status(), resumed.err());
        assertResumedAt(resumed.err(), stepAtKill); // the last checkpoint, not a fresh start

        Experiment a = ResultsJson.read(whole.resolve("results.json")), b = ResultsJson.read(killed.resolve("results.json"));
        assertEquals(a.runs().getFirst().evaluation(), b.runs().getFirst().evaluation());
        for (int e = 0; e < 2; e++) {
            assertEquals(a.runs().getFirst().epochs().get(e).trainLoss(), b.runs().getFirst().epochs().get(e).trainLoss());
            assertEquals(a.runs().getFirst().epochs().get(e).valAccuracy(), b.runs().getFirst().epochs().get(e).valAccuracy());
        }
        assertArrayEquals(Files.readAllBytes(whole.resolve("adapter/adapter_model.safetensors")),
                Files.readAllBytes(killed.resolve("adapter/adapter_model.safetensors")), "identical adapter files");
    }

    @Test
    void aRunStoppedBySigtermSavesAndResumesToTheSameResults() throws Exception {
        Path data = TinyTask.data(tmp, 512, 64);
        Path model = TinyTask.modelConfig(tmp), weights = TinyTask.backbone(tmp), lora = TinyTask.adapter(tmp, "lora", TinyTask.LORA);
        Path whole = tmp.resolve("whole"), stopped = tmp.resolve("stopped");
        List<String> wholeArgs = args(data, model, weights, lora, whole);
        wholeArgs.set(wholeArgs.indexOf("--checkpoint-every") + 1, "0");
        assertEquals(0, CliTestAccess.run(wholeArgs.toArray(String[]::new)).status());

        List<String> stopArgs = args(data, model, weights, lora, stopped);
        stopArgs.set(stopArgs.indexOf("--checkpoint-every") + 1, "0"); // the only mid-epoch checkpoint is the one Ctrl-C makes
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--add-modules", "jdk.incubator.vector", "-Dkora.progress=false", "-Dkora.simd=" + System.getProperty("kora.simd", "true"),
                "-cp", System.getProperty("java.class.path"), "dev.kora4j.cli.Main"));
        command.addAll(stopArgs);
        Path log = tmp.resolve("stopped.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        // Wait for the first epoch's checkpoint, then stop early in the second: in the middle of an
        // epoch, where only the shutdown hook's checkpoint can hold the position.
        while (stepOf(stopped) < BATCHES && process.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(50);
        assertTrue(process.isAlive(), Files.readString(log));
        process.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the shutdown hook asks for a checkpoint
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        long step = stepOf(stopped);
        assertTrue(step > BATCHES && step < 2 * BATCHES, "stopped inside the second epoch, at step " + step + ": " + Files.readString(log));
        assertTrue(Files.readString(log).contains("stopped at step " + step + "; resume with --resume"), Files.readString(log));

        List<String> resume = new ArrayList<>(stopArgs);
        resume.add("--resume");
        CliTestAccess.Run resumed = CliTestAccess.run(resume.toArray(String[]::new));
        assertEquals(0, resumed.status(), resumed.err());
        assertResumedAt(resumed.err(), step);
        assertArrayEquals(Files.readAllBytes(whole.resolve("adapter/adapter_model.safetensors")),
                Files.readAllBytes(stopped.resolve("adapter/adapter_model.safetensors")), "identical adapter files");
    }

    @Test
    void aDivergingRunStopsNamingTheStep() throws Exception {
        Path data = TinyTask.data(tmp, 64, 16);
        Path model = TinyTask.modelConfig(tmp), weights = TinyTask.backbone(tmp), full = TinyTask.adapter(tmp, "full", "{\"peft_type\": \"FULL\"}");
        List<String> a = args(data, model, weights, full, tmp.resolve("nan"));
        a.set(a.indexOf("--lr") + 1, "1e30");
        CliTestAccess.Run r = CliTestAccess.run(a.toArray(String[]::new));
        assertEquals(1, r.status(), r.err());
        String line = r.err().strip().lines().filter(l -> l.startsWith("error:")).findFirst().orElseThrow();
        assertTrue(line.matches("error: the loss is (NaN|Infinity) at step \\d+ \\(epoch \\d+, batch \\d+\\).*"), line);
    }

    /** The step of a run's latest checkpoint, or -1. */
    /**
     * The step of the checkpoint a resume would load: the latest, else the kept previous one (while a
     * new checkpoint is written the latest is moved aside, and a kill can land in that moment).
     */
    /** Batches in an epoch of the runs here: 512 training images in batches of 8. */
    private static final int BATCHES = 512 / 8;

    /** The resumed run says it started from the checkpoint of {@code step}: that epoch and batch, not the start. */
    private static void assertResumedAt(String log, long step) {
        assertTrue(step > 0, "a checkpoint after step 0 to resume from, got step " + step);
        String expected = String.format(": epoch %d, batch %d, step %d", step / BATCHES + 1, step % BATCHES, step);
        assertTrue(log.lines().anyMatch(l -> l.startsWith("resuming from ") && l.endsWith(expected)),
                "the resumed run should say 'resuming from …" + expected + "':\n" + log);
    }

    private static long stepOf(Path run) {
        Path file = run.resolve(Checkpoint.FILE);
        if (!Files.exists(file)) {
            file = run.resolve(Checkpoint.PREVIOUS);
        }
        if (!Files.exists(file)) {
            return -1;
        }
        try (SafetensorsFile f = Safetensors.open(file)) {
            String state = f.metadata().get("state");
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(state).get("step").asLong();
        } catch (Exception raced) {
            return -1; // being replaced right now
        }
    }
}
