package dev.kora4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kora4j.backend.cuda.CudaSupport;
import dev.kora4j.cli.Main;
import dev.kora4j.data.DataSpec;
import dev.kora4j.data.Protocol;
import dev.kora4j.tensor.Device;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training step that does not fit in the device's memory ends the run with one line naming the
 * step, the device's memory, what to lower and the checkpoint to resume from, and leaves that
 * checkpoint as it was: resumed with room, the run finishes. The device is the CUDA stand-in with
 * its memory set small (KORA_CUDA_EMULATOR_MEMORY), in a JVM of its own.
 */
@Tag("gpu")
class CudaOutOfMemoryTrainingTest {
    /** Room for TinyTask's model and AdamW's moments, not for a step's activations at batch 64. */
    private static final String SMALL_DEVICE = "256K";

    @TempDir
    Path tmp;

    @Test
    void aStepTooLargeForTheDeviceEndsWithOneLineAndKeepsTheCheckpoint() throws Exception {
        Path standIn = Path.of(System.getProperty("kora.cuda.emulator.dir", "core/target/cuda-emulator"));
        assumeTrue(Files.isRegularFile(standIn.resolve("libcuda.so.1")), "the CUDA stand-in is not in " + standIn);
        CudaSupport.assumeCuda();
        Path data = TinyTask.data(tmp, 320, 64), model = TinyTask.modelConfig(tmp), weights = TinyTask.backbone(tmp);
        Path adapter = TinyTask.adapter(tmp, "kora", TinyTask.KORA), out = tmp.resolve("run");
        TrainOptions options = new TrainOptions(1, 64, 3e-3, 0.01, 0, 0, 0, 0, 5, 2, 0, true);
        SourceRun.Request request = new SourceRun.Request(model, weights, adapter, DataSpec.parse("idx:" + data), Protocol.CORRECTED,
                options, out, true, Device.CUDA);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        assertThrows(IllegalStateException.class, () -> SourceRun.run(request, quiet, new Trainer.Listener() {
            @Override
            public void checkpointed(long step) {
                throw new IllegalStateException("stopped after the checkpoint at step " + step);
            }
        }));
        Path checkpoint = out.resolve(Checkpoint.FILE);
        byte[] before = Files.readAllBytes(checkpoint);

        List<String> args = List.of("train", "--model", model.toString(), "--weights", weights.toString(),
                "--adapter-config", adapter.toString(), "--data", "idx:" + data, "--epochs", "1", "--batch", "64", "--lr", "3e-3",
                "--seed", "5", "--checkpoint-every", "2", "--workers", "0", "--device", "cuda", "--out", out.toString(), "--resume");
        Run small = kora(standIn, SMALL_DEVICE, args);
        assertEquals(1, small.status(), small.output());
        List<String> errors = small.output().lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), small.output());
        assertFalse(small.output().contains("\tat "), "no stack trace: " + small.output());
        String error = errors.getFirst();
        assertTrue(error.startsWith("error: out of device memory in step 3 (epoch 1, batch 2 of 64 images): "
                + "cuda: NVIDIA H200 (kora4j CPU stand-in) has 256 KiB, "), error);
        assertTrue(error.endsWith("the last good checkpoint is kept in " + checkpoint + "; train with a smaller --batch and resume with --resume"),
                error);
        assertArrayEquals(before, Files.readAllBytes(checkpoint), "the checkpoint is untouched");

        // Too small for the model itself: one line as well, before any step.
        Run tiny = kora(standIn, "64K", args);
        assertEquals(1, tiny.status(), tiny.output());
        List<String> tinyErrors = tiny.output().lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, tinyErrors.size(), tiny.output());
        assertTrue(tinyErrors.getFirst().startsWith("error: cuda: NVIDIA H200 (kora4j CPU stand-in): out of device memory allocating ")
                && tinyErrors.getFirst().endsWith("of 64 KiB in use); use a smaller model or --batch, or a device with more memory"),
                tinyErrors.getFirst());
        assertArrayEquals(before, Files.readAllBytes(checkpoint), "the checkpoint is untouched");

        ByteArrayOutputStream log = new ByteArrayOutputStream();
        SourceRun.run(request, new PrintStream(log, true, StandardCharsets.UTF_8));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("resuming from checkpoint.safetensors: epoch 1, batch 2, step 2"), log.toString());
    }

    private record Run(int status, String output) {}

    /** `kora ARGS` in a JVM of its own on a stand-in with {@code memory} of device memory. */
    private Run kora(Path standIn, String memory, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Dkora.progress=false",
                "-Dkora.cuda.emulator.dir=" + standIn.toAbsolutePath(), "-cp", CudaSupport.childClassPath(), Main.class.getName()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("KORA_CUDA_EMULATOR", "1");
        pb.environment().put("KORA_CUDA_EMULATOR_MEMORY", memory);
        Path log = tmp.resolve("child.log");
        Process p = pb.redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the run ended");
        return new Run(p.exitValue(), Files.readString(log));
    }
}
