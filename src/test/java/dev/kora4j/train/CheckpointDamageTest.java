package dev.kora4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.cli.CliTestAccess;
import dev.kora4j.report.ResultsJson;
import dev.kora4j.report.RunResult;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints that a crash or the disk damaged: a process killed in the middle of a checkpoint
 * write, a checkpoint cut short, a checkpoint with one byte flipped. Each run resumes from the
 * previous checkpoint (checkpoint.prev.safetensors) and ends with the same metrics and the same
 * adapter bytes as a run that was never interrupted.
 */
class CheckpointDamageTest {
    @TempDir
    static Path tmp;
    static Path whole;

    static List<String> args(Path out) {
        return new ArrayList<>(List.of("train", "--model", tmp.resolve("model.json").toString(),
                "--weights", tmp.resolve("backbone.safetensors").toString(), "--adapter-config", tmp.resolve("lora.json").toString(),
                "--data", "idx:" + tmp.resolve("tiny-idx"), "--epochs", "2", "--batch", "8", "--lr", "2e-3", "--seed", "5",
                "--checkpoint-every", "3", "--workers", "0", "--threads", "2", "--out", out.toString()));
    }

    @BeforeAll
    static void trainWithoutInterruption() throws IOException {
        TinyTask.data(tmp, 64, 16);
        TinyTask.backbone(tmp);
        TinyTask.adapter(tmp, "lora", TinyTask.LORA);
        whole = tmp.resolve("whole");
        CliTestAccess.Run r = CliTestAccess.run(args(whole).toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
    }

    @Test
    void aKillInTheMiddleOfACheckpointWriteResumesFromThePreviousOne() throws Exception {
        Path killed = tmp.resolve("killed");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--add-modules", "jdk.incubator.vector", "-Dkora.progress=false",
                "-Dkora.simd=" + System.getProperty("kora.simd", "true"), // the same kernels as this JVM's, so the same bits
                "-cp", System.getProperty("java.class.path"), HaltDuringCheckpointWrite.class.getName(), "3"));
        command.addAll(args(killed));
        Path log = tmp.resolve("killed.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the run ended");
        assertEquals(HaltDuringCheckpointWrite.HALTED, p.exitValue(), "halted during the third checkpoint write: " + Files.readString(log));
        try (Stream<Path> files = Files.list(killed)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().endsWith(".tmp")), "the write was cut off before its rename");
        }
        assertFalse(Files.exists(killed.resolve(Checkpoint.FILE)), "the latest had become the previous when the write began");

        CliTestAccess.Run resumed = resume(killed);
        assertTrue(resumed.err().contains("resuming from " + Checkpoint.PREVIOUS), resumed.err());
        try (Stream<Path> files = Files.list(killed)) {
            assertFalse(files.anyMatch(f -> f.getFileName().toString().startsWith("." + Checkpoint.FILE)), "the left-over was removed");
        }
        assertSameResults(killed);
    }

    @Test
    void aTruncatedCheckpointIsSkippedForThePreviousOne() throws Exception {
        Path run = copyOfWholeRun("truncated");
        Path latest = run.resolve(Checkpoint.FILE);
        try (RandomAccessFile f = new RandomAccessFile(latest.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        CliTestAccess.Run resumed = resume(run);
        assertTrue(resumed.err().contains("warning: skipping a damaged checkpoint: " + latest + ": the tensors' data ends"), resumed.err());
        assertTrue(resumed.err().contains("resuming from " + Checkpoint.PREVIOUS), resumed.err());
        assertSameResults(run);
    }

    @Test
    void aFlippedByteFailsTheChecksumAndThePreviousOneIsUsed() throws Exception {
        Path run = copyOfWholeRun("flipped");
        Path latest = run.resolve(Checkpoint.FILE);
        try (RandomAccessFile f = new RandomAccessFile(latest.toFile(), "rw")) {
            long at = f.length() - 3; // inside the last tensor's values: the file still parses
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x10);
        }
        CliTestAccess.Run resumed = resume(run);
        assertTrue(resumed.err().contains("warning: skipping a damaged checkpoint: " + latest + ": checksum mismatch"), resumed.err());
        assertTrue(resumed.err().contains("resuming from " + Checkpoint.PREVIOUS), resumed.err());
        assertSameResults(run);
    }

    /** The finished uninterrupted run's folder without its outputs: its checkpoints are those of a run stopped at the end. */
    private static Path copyOfWholeRun(String name) throws IOException {
        Path run = Files.createDirectories(tmp.resolve(name));
        for (String file : List.of("run.json", Checkpoint.FILE, Checkpoint.PREVIOUS)) {
            Files.copy(whole.resolve(file), run.resolve(file));
        }
        return run;
    }

    private static CliTestAccess.Run resume(Path run) {
        List<String> a = args(run);
        a.add("--resume");
        CliTestAccess.Run r = CliTestAccess.run(a.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        return r;
    }

    private static void assertSameResults(Path run) throws IOException {
        RunResult a = ResultsJson.read(whole.resolve("results.json")).runs().getFirst();
        RunResult b = ResultsJson.read(run.resolve("results.json")).runs().getFirst();
        assertEquals(a.evaluation(), b.evaluation());
        assertEquals(a.epochs().size(), b.epochs().size());
        for (int e = 0; e < a.epochs().size(); e++) {
            assertEquals(a.epochs().get(e).trainLoss(), b.epochs().get(e).trainLoss(), "train loss of epoch " + (e + 1));
            assertEquals(a.epochs().get(e).valLoss(), b.epochs().get(e).valLoss(), "val loss of epoch " + (e + 1));
            assertEquals(a.epochs().get(e).valAccuracy(), b.epochs().get(e).valAccuracy());
        }
        assertArrayEquals(Files.readAllBytes(whole.resolve("adapter/adapter_model.safetensors")),
                Files.readAllBytes(run.resolve("adapter/adapter_model.safetensors")), "identical adapter files");
    }
}
