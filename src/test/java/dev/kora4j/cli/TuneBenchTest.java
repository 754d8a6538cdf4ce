package dev.kora4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kora4j.autograd.GradMode;
import dev.kora4j.backend.cpu.Gemm;
import dev.kora4j.io.JsonFile;
import dev.kora4j.nn.ViTConfig;
import dev.kora4j.nn.ViTConfigs;
import dev.kora4j.nn.VisionTransformer;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `kora bench tune`'s cache commands, and the GEMM operations `kora bench step` reports. */
class TuneBenchTest {
    /** vit_tiny's widths at 16 px, patch 8 (4 patches + the class token), two blocks, ten classes. */
    static final String TINY = "{\"architecture\": \"vit_tiny_patch16_224\", \"num_classes\": 10, "
            + "\"model_args\": {\"img_size\": 16, \"patch_size\": 8, \"depth\": 2}}";

    @TempDir Path folder;

    @AfterEach
    void restore() {
        System.clearProperty("kora.cache.dir");
    }

    @Test
    void showWithoutACachedChoiceSaysSoAndResetDeletesNothing() {
        System.setProperty("kora.cache.dir", folder.toString());
        CliTest.Run show = CliTest.run("bench", "tune", "--show");
        assertEquals(2, show.status());
        assertTrue(show.err().contains("error: no tuning is cached for ") && show.err().contains("run kora bench tune"), show.err());

        CliTest.Run reset = CliTest.run("bench", "tune", "--reset");
        assertEquals(0, reset.status(), reset.err());
        assertTrue(reset.err().startsWith("nothing to delete: no " + folder), reset.err());

        CliTest.Run both = CliTest.run("bench", "tune", "--show", "--reset");
        assertEquals(2, both.status());
        assertTrue(both.err().contains("error: --show and --reset: give one of them"), both.err());
    }

    /** Every product of a ViT forward, counted by hand: 2·m·n·k each. */
    @Test
    void aForwardCountsEveryProductOnce() {
        ViTConfig config = ViTConfigs.parse(JsonFile.parse("tiny", TINY));
        VisionTransformer vit = new VisionTransformer(config, new Rng(0), DType.F32, Device.CPU);
        Tensor images = Tensor.randn(new Rng(1), 2, 3, 16, 16);
        long patches = 2L * 8 * (3 * 8 * 8) * 192; // 2 images × 4 patches, k = 3·8·8, n = 192
        long tokens = 2 * 5; // 4 patches + the class token, per image
        long linears = 2 * tokens * 192 * (576 + 192 + 768) + 2 * tokens * 768 * 192; // qkv, proj, fc1; fc2
        long attention = 2L * 3 * (2 * 5 * 5 * 64 + 2 * 5 * 64 * 5); // per image and head: q·kᵀ, P·v
        long head = 2L * 2 * 192 * 10; // the class tokens of 2 images
        long before = Gemm.flops();
        try (var scope = GradMode.noGrad()) {
            vit.forward(images);
        }
        assertEquals(patches + 2 * (linears + attention) + head, Gemm.flops() - before);
    }

    @Test
    void benchStepReportsTheGemmRateAgainstThePeak() throws Exception {
        Path file = folder.resolve("tiny.json");
        Files.writeString(file, TINY);
        CliTest.Run r = CliTest.run("bench", "step", "--model", file.toString(), "--mode", "lora", "--batch", "2",
                "--steps", "2", "--warmup", "1", "--threads", "1");
        assertEquals(0, r.status(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out().strip());
        double gflops = json.get("gflops").asDouble(), peak = json.get("peak_gflops").asDouble();
        assertTrue(json.get("gemm_gflop_per_step").asDouble() > 0 && gflops > 0 && peak > 0, json.toString());
        assertEquals(gflops / peak, json.get("fraction_of_peak").asDouble(), 0.006, json.toString());
        assertTrue(json.path("jit_ms_while_timed").isIntegralNumber() && json.get("jit_ms_while_timed").asLong() >= 0, json.toString());
    }
}
