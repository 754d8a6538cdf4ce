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
        assertTrue(resumed.err().contains("resuming from"), resumed.err());

        Experiment a = ResultsJson.read(whole.resolve("results.json")), b = ResultsJson.read(killed.resolve("results.json"));
        assertEquals(a.runs().getFirst().evaluation(), b.runs().getFirst().evaluation());
        for (int e = 0; e < 2; e++) {
            assertEquals(a.runs().getFirst().epochs().get(e).trainLoss(), b.runs().getFirst().epochs().get(e).trainLoss());
            assertEquals(a.runs().getFirst().epochs().get(e).valAccuracy(), b.runs().getFirst().epochs().get(e).valAccuracy());
        }
        assertArrayEquals(Files.readAllBytes(whole.resolve("adapter/adapter_model.safetensors")),
                Files.readAllBytes(killed.resolve("adapter/adapter_model.safetensors")), "identical adapter files");
    }

    /** The step of a run's latest checkpoint, or -1. */
    private static long stepOf(Path run) {
        Path file = run.resolve(Checkpoint.FILE);
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
