package dev.kora4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.io.RawTensor;
import dev.kora4j.io.Safetensors;
import dev.kora4j.io.SafetensorsFile;
import dev.kora4j.parity.GoldenParityTest;
import dev.kora4j.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `kora parity` through the CLI: its output file, and one error line with status 2 for bad input. */
class ParityCommandTest {
    static final Path GOLDEN = Path.of("test-data", "golden");

    @TempDir
    Path tmp;

    private static String[] args(Path caseDir, Path config, Path adapterConfig, Path adapter, Path batch, Path out) {
        return new String[] {"parity", "--model", config.toString(), "--weights", caseDir.resolve("backbone.safetensors").toString(),
            "--adapter-config", adapterConfig.toString(), "--adapter", adapter.toString(), "--batch", batch.toString(),
            "--out", out.toString(), "--device", "reference"};
    }

    @Test
    void writesLogitsLossAndEveryGradient() throws Exception {
        Path c = GOLDEN.resolve("kora_main"), out = tmp.resolve("out.safetensors");
        CliTest.Run r = CliTest.run(args(c, c.resolve("config.json"), c.resolve("adapter_config.json"), c.resolve("adapter.safetensors"),
                c.resolve("batch.safetensors"), out));
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.out());
        try (SafetensorsFile got = Safetensors.open(out); SafetensorsFile want = Safetensors.open(c.resolve("expected.safetensors"))) {
            assertEquals(new java.util.TreeSet<>(want.names()), new java.util.TreeSet<>(got.names()));
            assertEquals(0, got.info("loss").shape().length);
            for (String name : want.names()) { // the values PyTorch computed, not only their names
                GoldenParityTest.assertWithin(name, want.tensor(name), got.tensor(name), GoldenParityTest.NORM);
            }
        }
    }

    private void assertFails(String[] args, String... fragments) {
        CliTest.Run r = CliTest.run(args);
        assertEquals(2, r.status(), r.err());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].startsWith("error: "), lines[0]);
        for (String f : fragments) {
            assertTrue(lines[0].contains(f), lines[0] + " should mention " + f);
        }
        assertFalse(Files.exists(tmp.resolve("out.safetensors")), "no output is written on failure");
    }

    @Test
    void badInputIsOneErrorLine() throws Exception {
        Path c = GOLDEN.resolve("kora_main"), out = tmp.resolve("out.safetensors");
        Path config = c.resolve("config.json"), ac = c.resolve("adapter_config.json"), ad = c.resolve("adapter.safetensors"), batch = c.resolve("batch.safetensors");

        Path badArch = tmp.resolve("arch.json");
        Files.writeString(badArch, "{\"architecture\": \"vit_giant\", \"num_classes\": 8}");
        assertFails(args(c, badArch, ac, ad, batch, out), "arch.json", "architecture", "vit_giant");

        Path badHeads = tmp.resolve("heads.json");
        Files.writeString(badHeads, Files.readString(config).replace("\"num_heads\": 2", "\"num_heads\": 5"));
        assertFails(args(c, badHeads, ac, ad, batch, out), "heads.json", "embed_dim", "num_heads");

        // another case's adapter: names match, shapes do not
        Path other = GOLDEN.resolve("lora_head");
        assertFails(args(c, config, other.resolve("adapter_config.json"), other.resolve("adapter.safetensors"), batch, out),
                "adapter.safetensors", "shape");

        Path badLabels = tmp.resolve("batch.safetensors");
        try (SafetensorsFile b = Safetensors.open(batch)) {
            Tensor images = b.tensor("images");
            long[] labels = b.longs("labels");
            labels[0] = 99;
            Safetensors.write(badLabels, Map.of("images", images, "labels", RawTensor.ofLongs(labels, labels.length)));
        }
        assertFails(args(c, config, ac, ad, badLabels, out), "batch.safetensors", "labels[0]", "99");

        assertFails(args(c, config, ac, tmp.resolve("missing.safetensors"), batch, out), "missing.safetensors");

        Path truncated = tmp.resolve("truncated.safetensors");
        byte[] bytes = Files.readAllBytes(ad);
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 10));
        assertFails(args(c, config, ac, truncated, batch, out), "truncated.safetensors");
    }
}
