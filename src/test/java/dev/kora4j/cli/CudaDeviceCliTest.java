package dev.kora4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.kora4j.backend.cuda.CudaBackend;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** `kora parity --device cuda` on a machine without a usable cuda device: one error line saying why. */
class CudaDeviceCliTest {
    @Test
    void parityOnCudaWithoutADeviceIsOneErrorLine() {
        boolean present;
        try {
            CudaBackend.get();
            present = true;
        } catch (IllegalStateException e) {
            present = false;
        }
        assumeFalse(present, "a cuda device is present");
        Path c = ParityCommandTest.GOLDEN.resolve("kora_main");
        CliTest.Run r = CliTest.run("parity", "--model", c.resolve("config.json").toString(),
                "--weights", c.resolve("backbone.safetensors").toString(), "--batch", c.resolve("batch.safetensors").toString(),
                "--out", "unused.safetensors", "--device", "cuda");
        assertEquals(2, r.status(), r.err());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].startsWith("error: --device cuda: cuda: "), lines[0]);
    }
}
