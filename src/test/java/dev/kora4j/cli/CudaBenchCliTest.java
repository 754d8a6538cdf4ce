package dev.kora4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kora4j.backend.cuda.CudaBackend;
import dev.kora4j.backend.cuda.CudaSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** `kora bench kora` and `kora bench step` with --device cuda run to the end (shapes kept small for the stand-in). */
@Tag("gpu")
class CudaBenchCliTest {
    @BeforeEach
    void needsCuda() {
        CudaSupport.assumeCuda();
    }

    private static JsonNode lastJsonLine(CliTest.Run r) throws Exception {
        assertEquals(0, r.status(), r.err());
        String[] lines = r.out().strip().split("\n");
        return new ObjectMapper().readTree(lines[lines.length - 1]);
    }

    /** On the stand-in the output says its timings mean nothing; on a GPU it has no such note. */
    private static void saysWhetherTimingsMeanAnything(JsonNode json) {
        assertEquals(CudaBackend.get().standIn(), json.has("timings"), json.toString());
        assertTrue(json.get("device").asText().startsWith("cuda: "), json.toString());
    }

    @Test
    void benchKoraOnCuda() throws Exception {
        JsonNode json = lastJsonLine(CliTest.run("bench", "kora", "--device", "cuda", "--tokens", "130", "--dim", "48",
                "--steps", "2", "--warmup", "1"));
        for (String key : new String[] {"fused_fwd_ms", "fused_fwdbwd_ms", "unfused_fwd_ms", "unfused_fwdbwd_ms"}) {
            assertTrue(json.get(key).asDouble() > 0, key + " in " + json);
        }
        saysWhetherTimingsMeanAnything(json);
    }

    @Test
    void benchStepOnCuda() throws Exception {
        String config = "{\"architecture\": \"vit_tiny_patch16_224\", \"num_classes\": 10, "
                + "\"model_args\": {\"img_size\": 16, \"patch_size\": 8, \"depth\": 2}}";
        java.nio.file.Path file = java.nio.file.Files.createTempFile("bench-step", ".json");
        java.nio.file.Files.writeString(file, config);
        try {
            for (String mode : new String[] {"infer", "full", "lora", "kora"}) {
                JsonNode json = lastJsonLine(CliTest.run("bench", "step", "--device", "cuda", "--model", file.toString(),
                        "--mode", mode, "--batch", "2", "--steps", "2", "--warmup", "1"));
                assertTrue(json.get("images_per_second").asDouble() > 0, json.toString());
                saysWhetherTimingsMeanAnything(json);
            }
        } finally {
            java.nio.file.Files.delete(file);
        }
    }
}
