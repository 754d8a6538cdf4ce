package dev.kora4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `kora bench step` under -Dkora.profile=true (a JVM of its own: the flag is read once) prints time per op and per product. */
class StepProfileTest {
    @TempDir Path folder;

    @Test
    void aLoraStepListsItsLinearsProductsWithTheirEpilogues() throws Exception {
        Path model = Files.writeString(folder.resolve("tiny.json"), TuneBenchTest.TINY), log = folder.resolve("profile.log");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--add-modules", "jdk.incubator.vector", "-Dkora.profile=true", "-Dkora.tune=off",
                "-Dkora.simd=" + System.getProperty("kora.simd", "true"),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "bench", "step", "--model", model.toString(), "--mode", "lora", "--batch", "2", "--steps", "2", "--warmup", "1"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bench step ended");
        String output = Files.readString(log);
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.lines().anyMatch(l -> l.startsWith("lora_linear ")), output);
        // qkv's forward: 2 images × 5 tokens, 192 → 576, x·Wᵀ with LoRA's rank-8 update and the bias; once per block
        List<String> qkv = output.lines().filter(l -> l.startsWith("10x192x576xnt, rank 8, bias ")).toList();
        assertEquals(1, qkv.size(), output);
        List<String> cells = List.of(qkv.getFirst().substring("10x192x576xnt, rank 8, bias".length()).trim().split(" +"));
        assertEquals("2", cells.get(1), "calls per step: " + qkv);
        assertTrue(Double.parseDouble(cells.get(0)) > 0 && Double.parseDouble(cells.get(2)) > 0, qkv.toString());
        assertTrue(output.lines().anyMatch(l -> l.startsWith("all products on the pool ")), output);
    }
}
