package dev.kora4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.data.DataSpec;
import dev.kora4j.data.Protocol;
import dev.kora4j.report.RunResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A listener sees every step and checkpoint, and a run abandoned by throwing from it (as the Spark
 * sweep abandons a killed task) resumes, train and transfer alike, to the uninterrupted results.
 */
class ListenerResumeTest {
    @TempDir
    Path tmp;

    /** Throws right after the first checkpoint at or past {@code step}. */
    private record FailAfter(long step, List<String> events) implements Trainer.Listener {
        @Override
        public void stepped(long s, double loss) {
            events.add("step " + s);
        }

        @Override
        public void checkpointed(long s) {
            events.add("checkpoint " + s);
            if (s >= step) {
                throw new IllegalStateException("abandoned at step " + s);
            }
        }
    }

    @Test
    void anAbandonedTrainAndTransferResumeToTheUninterruptedResults() throws Exception {
        DataSpec data = DataSpec.parse("idx:" + TinyTask.data(tmp, 96, 32));
        Path model = TinyTask.modelConfig(tmp), weights = TinyTask.backbone(tmp), kora = TinyTask.adapter(tmp, "kora", TinyTask.KORA);
        TrainOptions train = new TrainOptions(2, 16, 3e-3, 0.01, 2, 0, 1.0, 0, 5, 4, 0, true);
        TrainOptions head = new TrainOptions(3, 8, 3e-3, 0.01, 0, 0, 0, 0, 5, 2, 0, true);
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

        RunResult wholeSource = SourceRun.run(new SourceRun.Request(model, weights, kora, data, Protocol.CORRECTED, train, tmp.resolve("a"), false), quiet);
        RunResult wholeTransfer = TransferRun.run(new TransferRun.Request(tmp.resolve("a"), data, 4, Protocol.CORRECTED, head, tmp.resolve("a-t")), quiet);

        List<String> events = new ArrayList<>();
        SourceRun.Request source = new SourceRun.Request(model, weights, kora, data, Protocol.CORRECTED, train, tmp.resolve("b"), true);
        assertThrows(IllegalStateException.class, () -> SourceRun.run(source, quiet, new FailAfter(5, events)));
        assertEquals(List.of("step 1", "step 2", "step 3", "checkpoint 4", "step 4", "step 5", "step 6", "checkpoint 6"), events,
                "96 images in batches of 16: a checkpoint every 4 steps and at the epoch's end (step 6)");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        RunResult resumedSource = SourceRun.run(source, new PrintStream(log, true, StandardCharsets.UTF_8));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("resuming from checkpoint.safetensors: epoch 2, batch 0, step 6"), log.toString());
        assertEquals(wholeSource.evaluation(), resumedSource.evaluation());
        assertEquals(wholeSource.epochs().getLast().trainLoss(), resumedSource.epochs().getLast().trainLoss());

        TransferRun.Request transfer = new TransferRun.Request(tmp.resolve("b"), data, 4, Protocol.CORRECTED, head, tmp.resolve("b-t"), true);
        assertThrows(IllegalStateException.class, () -> TransferRun.run(transfer, quiet, new FailAfter(3, new ArrayList<>())));
        log.reset();
        RunResult resumedTransfer = TransferRun.run(transfer, new PrintStream(log, true, StandardCharsets.UTF_8));
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("resuming from"), log.toString());
        assertEquals(wholeTransfer.evaluation(), resumedTransfer.evaluation());
        assertEquals(wholeTransfer.epochs().getLast().trainLoss(), resumedTransfer.epochs().getLast().trainLoss());
    }
}
