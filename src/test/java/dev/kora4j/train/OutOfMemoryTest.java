package dev.kora4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.cli.Main;
import dev.kora4j.io.Safetensors;
import dev.kora4j.nn.ViTConfigs;
import dev.kora4j.nn.VisionTransformer;
import dev.kora4j.tensor.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run whose batch does not fit in the Java heap ends with one error line that says so and how to fix it. */
class OutOfMemoryTest {
    @TempDir
    Path tmp;

    /** 8×8 images in 4×4 patches (5 tokens) at width 384: a batch of 2048 needs ≈ 60 MB per MLP activation. */
    private Path wideModel() throws Exception {
        Path model = Files.writeString(tmp.resolve("model.json"), "{\"architecture\": \"vit_tiny_patch16_224\", \"num_classes\": 4, "
                + "\"model_args\": {\"img_size\": 8, \"patch_size\": 4, \"embed_dim\": 384, \"depth\": 1, \"num_heads\": 6}}");
        Safetensors.write(tmp.resolve("backbone.safetensors"), new VisionTransformer(ViTConfigs.read(model), new Rng(3)).namedParameters());
        return model;
    }

    /** The CLI in a JVM of its own with the given heap, its output going to {@code log}. */
    private static Process start(Path log, String heap, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                heap, "--add-modules", "jdk.incubator.vector", "-Dkora.progress=false",
                "-Dkora.simd=" + System.getProperty("kora.simd", "true"), // the same kernels as this JVM's, so the same bits
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** {@link #start}, waiting for the run to end. */
    private static Process run(Path log, String heap, List<String> args) throws Exception {
        Process p = start(log, heap, args);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the run ended: " + Files.readString(log));
        return p;
    }

    private static String theErrorLine(String output) {
        List<String> errors = output.lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), output);
        assertFalse(output.contains("\tat "), "no stack trace: " + output);
        return errors.getFirst();
    }

    @Test
    void aBatchTooLargeForTheHeapEndsTheRunWithOneClearLine() throws Exception {
        Path data = TinyTask.data(tmp, 2048, 16);
        Path model = wideModel(), weights = tmp.resolve("backbone.safetensors");
        Path adapter = TinyTask.adapter(tmp, "lora", TinyTask.LORA);
        Path out = tmp.resolve("run");

        Path log = tmp.resolve("oom.log");
        Process p = run(log, "-Xmx96m", List.of(
                "train", "--model", model.toString(), "--weights", weights.toString(), "--adapter-config", adapter.toString(),
                "--data", "idx:" + data, "--epochs", "1", "--batch", "2048", "--workers", "0", "--threads", "2",
                "--out", out.toString()));
        String output = Files.readString(log);
        assertEquals(1, p.exitValue(), output);
        String error = theErrorLine(output);
        assertTrue(error.startsWith("error: out of memory in step 1 (epoch 1, batch 0 of 2048 images): the Java heap's maximum is "), error);
        assertTrue(error.endsWith("no checkpoint had been written yet; give the JVM more heap (KORA_JAVA_OPTS=-Xmx<size>) "
                + "or train with a smaller --batch"), error);
        try (Stream<Path> files = Files.list(out)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith("checkpoint")), "nothing to save after no step");
        }
    }

    /**
     * A run resumed in a heap too small for its step names the checkpoint it kept, and resuming from
     * that checkpoint with enough heap ends where the uninterrupted run ends.
     */
    @Test
    void aResumeThatDoesNotFitNamesTheCheckpointAndResumingFromItWorks() throws Exception {
        Path data = TinyTask.data(tmp, 3 * 2048, 16);
        Path model = wideModel(), weights = tmp.resolve("backbone.safetensors");
        Path adapter = TinyTask.adapter(tmp, "lora", TinyTask.LORA);
        Path whole = tmp.resolve("whole"), run = tmp.resolve("run");
        run(tmp.resolve("whole.log"), "-Xmx1g", trainArgs(model, weights, adapter, data, whole, "0"));

        // stopped after step 1, at the checkpoint it took there (SIGKILL: no last save)
        Path log = tmp.resolve("first.log");
        Process first = start(log, "-Xmx1g", trainArgs(model, weights, adapter, data, run, "1"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(run.resolve(Checkpoint.FILE)) && first.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(first.isAlive(), "still running at its first checkpoint: " + Files.readString(log));
        first.destroyForcibly().waitFor();

        List<String> resume = new ArrayList<>(trainArgs(model, weights, adapter, data, run, "1"));
        resume.add("--resume");
        Path small = tmp.resolve("small.log");
        Process tooSmall = run(small, "-Xmx96m", resume);
        String output = Files.readString(small);
        assertEquals(1, tooSmall.exitValue(), output);
        String error = theErrorLine(output);
        assertTrue(error.startsWith("error: out of memory in step 2 (epoch 1, batch 1 of 2048 images): the Java heap's maximum is "), error);
        assertTrue(error.contains("; the last good checkpoint is kept in " + run.resolve(Checkpoint.FILE)), error);
        assertTrue(error.endsWith("give the JVM more heap (KORA_JAVA_OPTS=-Xmx<size>) and resume with --resume"), error);

        Path again = tmp.resolve("again.log");
        assertEquals(0, run(again, "-Xmx1g", resume).exitValue(), Files.readString(again));
        assertTrue(Files.readString(again).contains("resuming from "), Files.readString(again));
        assertArrayEquals(Files.readAllBytes(whole.resolve("adapter/adapter_model.safetensors")),
                Files.readAllBytes(run.resolve("adapter/adapter_model.safetensors")), "the resumed run ends where the whole run ends");
    }

    private static List<String> trainArgs(Path model, Path weights, Path adapter, Path data, Path out, String checkpointEvery) {
        return List.of("train", "--model", model.toString(), "--weights", weights.toString(), "--adapter-config", adapter.toString(),
                "--data", "idx:" + data, "--epochs", "1", "--batch", "2048", "--workers", "0", "--threads", "2",
                "--checkpoint-every", checkpointEvery, "--out", out.toString());
    }

    @Test
    void aModelTooLargeForTheHeapIsOneClearLineToo() throws Exception {
        Path data = TinyTask.data(tmp, 16, 16);
        // width 2048, depth 8: ≈ 400 M parameters, far beyond 96 MiB, and out of memory before training starts
        Path model = Files.writeString(tmp.resolve("big.json"), "{\"architecture\": \"vit_base_patch16_224\", \"num_classes\": 4, "
                + "\"model_args\": {\"img_size\": 8, \"patch_size\": 4, \"embed_dim\": 2048, \"depth\": 8, \"num_heads\": 8}}");
        Path adapter = TinyTask.adapter(tmp, "lora", TinyTask.LORA);
        Path log = tmp.resolve("big.log");
        Process p = run(log, "-Xmx96m", List.of("train", "--model", model.toString(),
                "--adapter-config", adapter.toString(), "--data", "idx:" + data, "--epochs", "1", "--out", tmp.resolve("big").toString()));
        String output = Files.readString(log);
        assertEquals(1, p.exitValue(), output);
        assertTrue(theErrorLine(output).matches("error: out of memory: the Java heap's maximum is \\d+ MiB; "
                + "give the JVM more heap \\(KORA_JAVA_OPTS=-Xmx<size>\\)"), output);
    }
}
