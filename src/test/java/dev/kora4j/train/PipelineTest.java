package dev.kora4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kora4j.cli.CliTestAccess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train → eval → cka → transfer through the CLI on a small learnable task. */
class PipelineTest {
    @TempDir
    Path tmp;

    private JsonNode lastJson(CliTestAccess.Run r) throws Exception {
        assertEquals(0, r.status(), r.err());
        String[] lines = r.out().strip().split("\n");
        return new ObjectMapper().readTree(lines[lines.length - 1]);
    }

    @Test
    void trainEvalCkaAndTransfer() throws Exception {
        Path data = TinyTask.data(tmp, 400, 80);
        Path model = TinyTask.modelConfig(tmp), lora = TinyTask.adapter(tmp, "lora", TinyTask.LORA), weights = TinyTask.backbone(tmp);
        Path run = tmp.resolve("run");
        JsonNode trained = lastJson(CliTestAccess.run("train", "--model", model.toString(), "--weights", weights.toString(),
                "--adapter-config", lora.toString(),
                "--data", "idx:" + data, "--epochs", "3", "--batch", "16", "--lr", "3e-3", "--out", run.toString(), "--workers", "0"));
        assertTrue(trained.get("accuracy").asDouble() > 0.8, "a LoRA-adapted ViT learns the quadrant task: " + trained);
        assertEquals(80, trained.get("samples").asInt());
        for (String f : List.of("run.json", "checkpoint.safetensors", "results.json", "metrics.csv", "report.md", "loss.png",
                "adapter/adapter_config.json", "adapter/adapter_model.safetensors")) {
            assertTrue(Files.exists(run.resolve(f)), f + " is written");
        }
        JsonNode eval = lastJson(CliTestAccess.run("eval", "--run", run.toString(), "--data", "idx:" + data));
        assertEquals(trained.get("accuracy").asDouble(), eval.get("accuracy").asDouble(), "eval reproduces the final evaluation");

        JsonNode cka = lastJson(CliTestAccess.run("cka", "--run", run.toString(), "--data", "idx:" + data, "--images", "16"));
        assertEquals(2, cka.get("blocks").size());
        for (String tokens : List.of("class_token", "mean_token")) {
            JsonNode m = cka.get(tokens);
            assertEquals(1.0, m.get(0).get(0).asDouble(), 1e-9, tokens + ": a block against itself");
            assertEquals(m.get(0).get(1).asDouble(), m.get(1).get(0).asDouble(), 1e-12, tokens + ": CKA is symmetric");
            double across = m.get(0).get(1).asDouble();
            assertTrue(across > 0.05 && across < 0.999, tokens + ": two different blocks are alike but not the same: " + across);
        }
        assertEquals(cka.get("class_token"), new ObjectMapper().readTree(run.resolve("cka.json").toFile()).get("class_token"), "cka.json holds what was printed");
        assertTrue(Files.readString(run.resolve("report.md")).contains("CKA"));

        Path transfer = tmp.resolve("transfer");
        JsonNode moved = lastJson(CliTestAccess.run("transfer", "--run", run.toString(), "--data", "idx:" + data, "--shots", "10",
                "--epochs", "5", "--out", transfer.toString(), "--workers", "0"));
        assertEquals(4, moved.get("distinct_labels").asInt());
        assertTrue(Files.exists(transfer.resolve("report.md")));
        for (Path report : List.of(run.resolve("report.md"), transfer.resolve("report.md"), run.resolve("results.json"))) {
            String text = Files.readString(report);
            assertFalse(text.contains(tmp.toAbsolutePath().toString()), report + " names a folder of this machine:\n" + text);
        }
    }

    @Test
    void aRunFolderIsNotOverwrittenAndResumeNeedsTheSameSettings() throws Exception {
        Path data = TinyTask.data(tmp, 64, 16);
        Path model = TinyTask.modelConfig(tmp), lora = TinyTask.adapter(tmp, "lora", TinyTask.LORA);
        Path run = tmp.resolve("run");
        String[] args = {"train", "--model", model.toString(), "--adapter-config", lora.toString(), "--data", "idx:" + data,
            "--epochs", "1", "--batch", "16", "--out", run.toString(), "--workers", "0"};
        assertEquals(0, CliTestAccess.run(args).status());
        CliTestAccess.Run again = CliTestAccess.run(args);
        assertEquals(2, again.status());
        assertTrue(again.err().contains("already holds a run"), again.err());
        String[] other = args.clone();
        other[8] = "2";
        String[] resumeOther = java.util.Arrays.copyOf(other, other.length + 1);
        resumeOther[other.length] = "--resume";
        CliTestAccess.Run mismatch = CliTestAccess.run(resumeOther);
        assertEquals(2, mismatch.status());
        assertTrue(mismatch.err().contains("other settings"), mismatch.err());
    }
}
