package dev.kora4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kora4j.cli.CliTestAccess;
import dev.kora4j.report.EpochMetrics;
import dev.kora4j.report.ResultsJson;
import dev.kora4j.report.RunResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `kora train` with the same seed and data gives bit-identical losses, metrics and adapter files:
 * run twice, and with 1 compute thread and no decoding workers against 2 threads and 2 workers.
 * KoRA with LoRA dropout beside it, so that the fused kernels, the dropout masks, the shuffling and
 * the parallel batch loader are all in play.
 */
class ReproducibilityTest {
    static final String KORA_WITH_DROPOUT = "{\"peft_type\": \"KORA\", \"r\": 2, \"lora_alpha\": 4, \"target_modules\": [\"qkv\"],"
            + " \"composition_dim\": 3, \"lora_targets\": [\"fc1\", \"fc2\"], \"lora_dropout\": 0.2, \"modules_to_save\": [\"head\"]}";

    @TempDir
    Path tmp;

    private Path train(String name, int threads, int workers) throws IOException {
        Path out = tmp.resolve(name);
        CliTestAccess.Run r = CliTestAccess.run("train", "--model", TinyTask.modelConfig(tmp).toString(),
                "--weights", TinyTask.backbone(tmp).toString(),
                "--adapter-config", TinyTask.adapter(tmp, "kora", KORA_WITH_DROPOUT).toString(),
                "--data", "idx:" + tmp.resolve("tiny-idx"), "--epochs", "2", "--batch", "16", "--lr", "3e-3", "--seed", "11",
                "--threads", String.valueOf(threads), "--workers", String.valueOf(workers), "--out", out.toString());
        assertEquals(0, r.status(), r.err());
        return out;
    }

    @Test
    void sameSeedSameBitsAcrossRunsAndThreadCounts() throws IOException {
        TinyTask.data(tmp, 256, 64);
        Path first = train("first", 2, 2), again = train("again", 2, 2), oneThread = train("one-thread", 1, 0);
        for (Path other : List.of(again, oneThread)) {
            String what = other.getFileName().toString();
            RunResult a = ResultsJson.read(first.resolve("results.json")).runs().getFirst();
            RunResult b = ResultsJson.read(other.resolve("results.json")).runs().getFirst();
            assertEquals(a.evaluation(), b.evaluation(), what);
            assertEquals(a.epochs().size(), b.epochs().size());
            for (int e = 0; e < a.epochs().size(); e++) {
                EpochMetrics x = a.epochs().get(e), y = b.epochs().get(e);
                // assertEquals on doubles compares their bits: the same bits, not merely close
                assertEquals(x.trainLoss(), y.trainLoss(), what + " epoch " + (e + 1));
                assertEquals(x.valLoss(), y.valLoss(), what);
                assertEquals(x.valAccuracy(), y.valAccuracy(), what);
                assertEquals(x.valF1(), y.valF1(), what);
            }
            assertArrayEquals(Files.readAllBytes(first.resolve("adapter/adapter_model.safetensors")),
                    Files.readAllBytes(other.resolve("adapter/adapter_model.safetensors")), what + ": identical adapter files");
        }
    }
}
