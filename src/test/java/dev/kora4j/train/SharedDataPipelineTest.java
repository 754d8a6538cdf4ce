package dev.kora4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kora4j.cli.CliTestAccess;
import dev.kora4j.data.SharedDataTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * train, eval and cka on the real CIFAR-100 sample and transfer to the real Tiny ImageNet sample,
 * corrected and under the seed's protocol (which must show the label collapse). Skipped where the
 * shared samples are absent (a user's clone).
 */
class SharedDataPipelineTest {
    @TempDir
    Path tmp;

    private static JsonNode json(CliTestAccess.Run r) throws Exception {
        assertEquals(0, r.status(), r.err());
        String[] lines = r.out().strip().split("\n");
        return new ObjectMapper().readTree(lines[lines.length - 1]);
    }

    @Test
    void cifarToTinyImageNetCorrectedAndAsTheSeedDid() throws Exception {
        Path cifar = SharedDataTest.shared().resolve("cifar-100-binary"), tiny = SharedDataTest.shared().resolve("tiny-imagenet-200-subset");
        assumeTrue(Files.isRegularFile(cifar.resolve("test.bin")) && Files.isRegularFile(tiny.resolve("wnids.txt")), "shared samples absent");
        Path model = Files.writeString(tmp.resolve("model.json"), "{\"architecture\": \"vit_tiny_patch16_224\", \"num_classes\": 100, "
                + "\"model_args\": {\"img_size\": 32, \"patch_size\": 8, \"embed_dim\": 48, \"depth\": 2, \"num_heads\": 3}}");
        Path kora = TinyTask.adapter(tmp, "kora", TinyTask.KORA);
        Path run = tmp.resolve("run");
        JsonNode trained = json(CliTestAccess.run("train", "--model", model.toString(), "--adapter-config", kora.toString(),
                "--data", "cifar100:" + cifar, "--epochs", "1", "--batch", "64", "--lr", "1e-3", "--out", run.toString()));
        assertEquals(10_000, trained.get("samples").asInt(), "evaluated on the whole CIFAR-100 test split");
        assertEquals(100, trained.get("distinct_labels").asInt());
        // chance is 1 % (s.d. 0.1 % over 10,000 images): twice chance is learning, not luck
        assertTrue(trained.get("accuracy").asDouble() > 0.02, "one epoch learns something of CIFAR-100: " + trained);

        JsonNode eval = json(CliTestAccess.run("eval", "--run", run.toString(), "--data", "cifar100:" + cifar));
        assertEquals(trained.get("accuracy").asDouble(), eval.get("accuracy").asDouble());
        JsonNode cka = json(CliTestAccess.run("cka", "--run", run.toString(), "--data", "cifar100:" + cifar));
        assertEquals(2, cka.get("blocks").size());

        JsonNode corrected = json(CliTestAccess.run("transfer", "--run", run.toString(), "--data", "tinyimagenet:" + tiny,
                "--shots", "2", "--epochs", "1", "--out", tmp.resolve("corrected").toString()));
        assertEquals(10_000, corrected.get("samples").asInt());
        assertEquals(200, corrected.get("distinct_labels").asInt(), "val labels from val_annotations.txt: all 200 classes");

        CliTestAccess.Run seedRun = CliTestAccess.run("transfer", "--run", run.toString(), "--data", "tinyimagenet:" + tiny,
                "--shots", "5", "--protocol", "seed", "--out", tmp.resolve("seed").toString());
        JsonNode seed = json(seedRun);
        assertEquals(1, seed.get("distinct_labels").asInt(), "the seed's reader labels every val image 0");
        double acc = seed.get("accuracy").asDouble();
        assertEquals(2 * acc / (1 + acc), seed.get("weighted_f1").asDouble(), 1e-9, "the collapse identity F1 = 2·acc/(1+acc)");
        String report = Files.readString(tmp.resolve("seed").resolve("report.md"));
        assertTrue(report.contains("label collapse") && report.contains("2·acc/(1+acc)"), report);
        assertTrue(seedRun.err().contains("seed protocol"), seedRun.err());
    }
}
