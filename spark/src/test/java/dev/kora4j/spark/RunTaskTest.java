package dev.kora4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.train.TrainOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sweep task outside Spark: divergence is a result, and a folder holding another run is never continued. */
class RunTaskTest {
    @TempDir
    Path tmp;

    private RunSpec full(Path data, double lr) {
        Path backbone = DemoData.demo().resolve("backbone");
        return new RunSpec("full-seed0", "full", "Full fine-tuning", "Full fine-tuning", Map.of("method", "full"), 0,
                backbone.resolve("config.json").toString(), backbone.resolve("backbone.safetensors").toString(), "{\"peft_type\": \"FULL\"}\n",
                "idx:" + data, "corrected", new TrainOptions(1, 8, lr, 0, 0, 0, 0, 0, 0, 0, 0, true), null, 0);
    }

    @Test
    void aDivergingRunIsReportedNotRetried() throws Exception {
        Path data = DemoData.subset("mnist", 2, 1, tmp);
        RunOutcome o = RunOutcome.parse(new RunTask(tmp.resolve("runs"), "cpu").call(full(data, 1e30).toJson()));
        assertTrue(o.diverged());
        assertTrue(o.message().startsWith("the loss is"), o.message());
        Path dir = tmp.resolve("runs").resolve("full-seed0");
        assertFalse(Files.exists(dir.resolve(RunExecution.MARKER)), "not marked finished");
        assertTrue(Files.readString(dir.resolve(RunTask.LOG)).contains("diverged: the loss is"));

        SweepReport.Aggregate a = SweepReport.aggregate("t", Map.of(), List.of(full(data, 1e30)), List.of(o));
        assertEquals(List.of("**full-seed0** diverged and is left out of the numbers: " + o.message()), a.warnings());
        assertEquals(0, a.configurations().getFirst().group().source().size());
        assertTrue(SweepReport.toJson(a).contains("\"status\" : \"diverged\""));
    }

    @Test
    void aFolderHoldingAnotherRunIsNeverContinued() throws Exception {
        Path data = DemoData.subset("mnist", 2, 1, tmp);
        Path dir = Files.createDirectories(tmp.resolve("runs").resolve("full-seed0"));
        RunExecution.claim(full(data, 1e-3), dir);
        RunTask.TaskFailure f = assertThrows(RunTask.TaskFailure.class, () -> new RunTask(tmp.resolve("runs"), "cpu").call(full(data, 2e-3).toJson()));
        assertTrue(f.getMessage().startsWith("run full-seed0 (attempt 1): " + dir + ": holds run full-seed0 with other settings (source)"),
                f.getMessage());
        assertFalse(Files.exists(dir.resolve("source")), "nothing was trained");
    }
}
