package dev.kora4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The CLI run in-process: results on stdout, one `error:` line and status 2 for bad input. */
class CliTest {
    record Run(int status, String out, String err) {}

    static Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int status = Main.execute(args);
            return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void benchGemmPrintsOneJsonLine() throws Exception {
        Run r = run("bench", "gemm", "--m", "64", "--k", "32", "--n", "48", "--threads", "1", "--repeats", "2", "--warmup", "1");
        assertEquals(0, r.status(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertEquals(1, lines.length);
        JsonNode json = new ObjectMapper().readTree(lines[0]);
        assertEquals("gemm", json.get("bench").asText());
        assertEquals(64, json.get("m").asInt());
        assertEquals(32, json.get("k").asInt());
        assertEquals(48, json.get("n").asInt());
        assertEquals(1, json.get("threads").asInt());
        assertTrue(json.get("gflops").asDouble() > 0);
        assertTrue(json.get("ms").asDouble() > 0);
    }

    private static void assertOneErrorLine(Run r, String... fragments) {
        assertEquals(2, r.status());
        assertEquals("", r.out());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, r.err());
        assertTrue(lines[0].startsWith("error: "), lines[0]);
        for (String f : fragments) {
            assertTrue(lines[0].contains(f), lines[0] + " should mention " + f);
        }
        assertTrue(!lines[0].contains("Exception") && !lines[0].contains("picocli"), lines[0]);
    }

    @Test
    void badInputGivesOneErrorLineAndStatus2() {
        assertOneErrorLine(run("bench", "gemm", "--m", "x", "--k", "1", "--n", "1"), "--m", "'x'");
        assertOneErrorLine(run("bench", "gemm", "--k", "1"), "--m", "--n");
        assertOneErrorLine(run("bench", "gemm", "--m", "0", "--k", "1", "--n", "1"), "--m");
        assertOneErrorLine(run("nonsense"), "nonsense");
        assertOneErrorLine(run("bench", "gemm", "--m", "2", "--k", "2", "--n", "2", "--threads", "0"), "--threads");
        assertOneErrorLine(run("example", "mlp", "--epochs", "0"), "--epochs");
    }

    @Test
    void exampleMlpEndsWithItsAccuracy() {
        Run r = run("example", "mlp", "--epochs", "3");
        assertEquals(0, r.status(), r.err());
        String[] lines = r.out().strip().split("\n");
        assertTrue(lines[lines.length - 1].matches("test_accuracy=0\\.\\d{4}"), lines[lines.length - 1]);
    }
}
