package dev.kora4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every file of test-data/bad/ through the command that reads it (cases.json says which, and what
 * its error must say): exit status 2, nothing on stdout, exactly one stderr line starting "error:"
 * with the expected text, and no stack trace or Java class name anywhere on stderr.
 */
class BadFilesTest {
    static final Path BAD = Path.of("test-data", "bad");
    /** Good companions for the one bad file of each parity run. */
    static final Path GOLDEN = Path.of("test-data", "golden", "lora_head");
    static final Path PROBE = Path.of("test-data", "demo", "methods", "linear_probe.json");

    @TempDir
    Path tmp;

    static List<JsonNode> cases() throws IOException {
        List<JsonNode> cases = new ArrayList<>();
        new ObjectMapper().readTree(BAD.resolve("cases.json").toFile()).get("cases").forEach(cases::add);
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> everyBadFileFailsWithItsError() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : cases()) {
            for (JsonNode command : c.get("commands")) {
                String file = c.get("file").asText();
                tests.add(DynamicTest.dynamicTest(command.asText() + " " + file,
                        () -> check(command.asText(), BAD.resolve(file), c.get("error").asText())));
            }
        }
        return tests.stream();
    }

    private void check(String command, Path file, String expected) throws IOException {
        Path run = Files.createTempDirectory(tmp, "case");
        Path out = run.resolve("out.safetensors");
        CliTest.Run r = CliTest.run(args(command, file, run, out));
        assertEquals(2, r.status(), "exit status; stderr: " + r.err());
        assertEquals("", r.out(), "stdout");
        List<String> errors = r.err().lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), "one error line in: " + r.err());
        assertTrue(errors.get(0).contains(expected), errors.get(0) + "\n  should contain: " + expected);
        for (String marker : List.of("Exception", "\tat ", "Caused by", "java.")) {
            assertFalse(r.err().contains(marker), "stderr shows '" + marker + "': " + r.err());
        }
        assertFalse(Files.exists(out), "no output file after an error");
    }

    private String[] args(String command, Path file, Path run, Path out) throws IOException {
        String f = file.toString();
        List<String> parity = new ArrayList<>(List.of("parity", "--model", GOLDEN.resolve("config.json").toString(),
                "--weights", GOLDEN.resolve("backbone.safetensors").toString(),
                "--batch", GOLDEN.resolve("batch.safetensors").toString(), "--out", out.toString(), "--threads", "1"));
        List<String> adapter = List.of("--adapter-config", GOLDEN.resolve("adapter_config.json").toString(),
                "--adapter", GOLDEN.resolve("adapter.safetensors").toString());
        switch (command) {
            case "inspect" -> {
                return new String[] {"inspect", f};
            }
            case "parity --weights", "parity --model" -> {
                parity.set(parity.indexOf(command.substring(7)) + 1, f);
            }
            case "parity --adapter-config", "parity --adapter" -> {
                parity.addAll(adapter);
                parity.set(parity.indexOf(command.substring(7)) + 1, f);
            }
            default -> {
                if (!command.startsWith("train --data ")) {
                    throw new IllegalArgumentException("cases.json: unknown command '" + command + "'");
                }
                String kind = command.substring("train --data ".length());
                Path data = kind.equals("folder") ? folderWith(file, run) : file;
                return new String[] {"train", "--model", GOLDEN.resolve("config.json").toString(), "--adapter-config",
                    PROBE.toString(), "--data", kind + ":" + data, "--epochs", "1", "--batch", "4", "--workers", "0",
                    "--threads", "1", "--out", run.resolve("run").toString()};
            }
        }
        return parity.toArray(String[]::new);
    }

    /** A folder data set (train/ and val/, classes a and b) whose first training image is the bad file. */
    private static Path folderWith(Path badImage, Path run) throws IOException {
        Path root = run.resolve("images");
        Path ok = BAD.resolve("ok").resolve("grey8.jpg");
        for (String place : List.of("train/b/1.jpg", "val/a/1.jpg", "val/b/1.jpg")) {
            Files.createDirectories(root.resolve(place).getParent());
            Files.copy(ok, root.resolve(place));
        }
        Path bad = Files.createDirectories(root.resolve("train/a")).resolve(badImage.getFileName());
        Files.copy(badImage, bad);
        return root;
    }

    /** Every file or folder of the corpus has a case, and every case's file is there. */
    @Test
    void casesCoverTheCorpus() throws IOException {
        Set<String> listed = new TreeSet<>();
        for (JsonNode c : cases()) {
            String file = c.get("file").asText();
            assertTrue(Files.exists(BAD.resolve(file)), "cases.json names a missing file: " + file);
            assertTrue(c.get("commands").size() > 0 && !c.get("error").asText().isBlank(), file);
            listed.add(file);
        }
        Set<String> present = new TreeSet<>();
        for (String group : List.of("safetensors", "config", "adapter", "cifar100", "images", "tinyimagenet")) {
            try (Stream<Path> entries = Files.list(BAD.resolve(group))) {
                entries.forEach(p -> present.add(group + "/" + p.getFileName()));
            }
        }
        assertEquals(present, listed);
    }
}
