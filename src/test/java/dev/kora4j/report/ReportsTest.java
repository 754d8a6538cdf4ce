package dev.kora4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportsTest {
    @TempDir
    Path dir;

    static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void writesEveryOutputAndNoTemporaryFile() throws Exception {
        Experiment e = SampleRuns.seedLike();
        Path out = dir.resolve("run").resolve("demo-out");
        List<Path> written = Reports.writeAll(e, out);
        assertEquals(List.of("accuracy.png", "cka.png", "loss.png", "methods.png", "metrics.csv", "predictions.csv", "report.md", "results.json"),
                names(out));
        assertEquals(8, written.size());
        assertEquals(out.resolve("report.md"), written.getLast());
        for (String png : List.of("loss.png", "accuracy.png", "methods.png", "cka.png")) {
            PlotsTest.assertRealPng(Optional.of(Files.readAllBytes(out.resolve(png))), 400, 400);
        }
        String md = Files.readString(out.resolve("report.md"));
        for (String png : List.of("loss.png", "accuracy.png", "methods.png", "cka.png")) {
            assertTrue(md.contains("](" + png + ")"), "report.md embeds " + png);
        }
        assertEquals(e, ResultsJson.read(out.resolve("results.json")));

        // Writing again replaces the files in place, still leaving nothing behind.
        Reports.writeAll(e, out);
        assertEquals(8, names(out).size());
    }

    @Test
    void plotsWithoutDataAreLeftOut() throws Exception {
        RunResult noCurves = SampleRuns.seedLike().runs().get(2);
        Reports.writeAll(new Experiment("t", Map.of(), List.of(noCurves), List.of()), dir);
        assertEquals(List.of("methods.png", "metrics.csv", "predictions.csv", "report.md", "results.json"), names(dir));
        String md = Files.readString(dir.resolve("report.md"));
        assertTrue(!md.contains("loss.png") && !md.contains("cka.png"));
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporaryFile() throws Exception {
        Path blocked = dir.resolve("results.json");
        Files.createDirectory(blocked);
        Files.writeString(blocked.resolve("keep"), "x"); // a non-empty folder where the file should go: the rename fails
        assertThrows(IOException.class, () -> ResultsJson.write(SampleRuns.seedLike(), blocked));
        assertEquals(List.of("results.json"), names(dir));
        assertEquals(List.of("keep"), names(blocked));
    }
}
