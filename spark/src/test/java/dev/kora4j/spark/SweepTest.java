package dev.kora4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kora4j.report.Experiment;
import dev.kora4j.report.MeanStd;
import dev.kora4j.report.ResultsJson;
import dev.kora4j.report.RunResult;
import dev.kora4j.train.Checkpoint;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sweeps in Spark's local mode on subsets of the demo data: LoRA and KoRA × two seeds, each run a
 * train and a transfer. The aggregate matches the runs' own results; running the sweep again redoes
 * nothing; a task that fails mid-run is retried by Spark, resumes from its checkpoint and leaves the
 * aggregate exactly as an undisturbed sweep's.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SweepTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path tmp;
    private static Path undisturbed;

    private static Sweep.Result sweep(Path out, String master, List<String> failOnce) throws Exception {
        SweepSpec spec = SweepSpec.read(tmp.resolve("spec.json"));
        Sweep.Options o = new Sweep.Options(master, "cpu", null, Map.of("spark.ui.enabled", "false"), failOnce);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (PrintStream p = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            return Sweep.run(spec, out, o, p);
        } finally {
            System.err.print(log.toString(StandardCharsets.UTF_8));
        }
    }

    private static synchronized Path undisturbed() throws Exception {
        if (undisturbed == null) {
            DemoData.sweepSpec(tmp);
            Sweep.Result r = sweep(tmp.resolve("undisturbed"), "local[2]", List.of());
            assertEquals(Map.of(), r.failedAttempts());
            undisturbed = tmp.resolve("undisturbed");
        }
        return undisturbed;
    }

    @Test
    @Order(1)
    void theReportAggregatesTheRunsOwnResults() throws Exception {
        Path out = undisturbed();
        JsonNode sweep = JSON.readTree(out.resolve(SweepReport.JSON).toFile());
        assertEquals(SweepReport.SCHEMA, sweep.get("schema").asText());
        List<String> ids = new ArrayList<>();
        sweep.get("runs").forEach(r -> ids.add(r.get("id").asText()));
        assertEquals(List.of("lora-seed0", "lora-seed1", "kora-seed0", "kora-seed1"), ids);

        // each configuration's numbers, recomputed here from the runs' own results.json
        Map<String, List<Experiment>> byConfiguration = new LinkedHashMap<>();
        for (String id : ids) {
            Experiment e = ResultsJson.read(out.resolve("runs").resolve(id).resolve("results.json"));
            byConfiguration.computeIfAbsent(id.replaceFirst("-seed\\d+$", ""), k -> new ArrayList<>()).add(e);
            assertTrue(Files.exists(out.resolve("runs").resolve(id).resolve("source").resolve(Checkpoint.FILE)));
            assertTrue(Files.exists(out.resolve("runs").resolve(id).resolve("transfer").resolve("results.json")));
        }
        String report = Files.readString(out.resolve(SweepReport.MARKDOWN));
        JsonNode configurations = sweep.get("configurations");
        assertEquals(2, configurations.size());
        for (JsonNode c : configurations) {
            List<Experiment> runs = byConfiguration.get(c.get("id").asText());
            assertEquals(2, runs.size());
            for (RunResult.Phase phase : RunResult.Phase.values()) {
                List<RunResult> results = runs.stream().map(e -> e.runs(phase).getFirst()).toList();
                MeanStd accuracy = MeanStd.of(results.stream().mapToDouble(r -> r.evaluation().accuracy()).toArray());
                MeanStd f1 = MeanStd.of(results.stream().mapToDouble(r -> r.evaluation().weightedF1()).toArray());
                JsonNode stats = c.get(phase.label());
                assertEquals(accuracy.mean(), stats.get("accuracy").get("mean").asDouble(), 0, c + " " + phase);
                assertEquals(accuracy.std(), stats.get("accuracy").get("std").asDouble(), 0);
                assertEquals(2, stats.get("accuracy").get("n").asInt());
                assertEquals(f1.mean(), stats.get("f1_weighted").get("mean").asDouble(), 0);
                assertEquals(f1.std(), stats.get("f1_weighted").get("std").asDouble(), 0);
                // the 95 % Student-t interval over the two seeds: mean ± t(0.975, 1)·s/√2
                double margin = 12.706204736174694 * accuracy.std() / Math.sqrt(2); // scipy.stats.t.ppf(0.975, 1)
                assertEquals(accuracy.mean() - margin, stats.get("accuracy").get("ci_low").asDouble(), 1e-12);
                assertEquals(accuracy.mean() + margin, stats.get("accuracy").get("ci_high").asDouble(), 1e-12);
                // the seed table's row: "| label | params | CKA | accuracy (%) [CI] | F1 [CI] | seeds |"
                String row = "| " + c.get("label").asText() + " | " + dev.kora4j.metrics.PythonFormat.fixed(results.getFirst().params().percent(), 2)
                        + " | " + (phase == RunResult.Phase.SOURCE ? MeanStd.of(results.stream().mapToDouble(r -> r.cka().summary()).toArray()).format(1, 2) : "–")
                        + " | " + accuracy.format(100, 2) + " [";
                assertTrue(report.contains(row), "report.md has " + row + "\n" + report);
                String cells = report.substring(report.indexOf(row) + row.length()).lines().findFirst().orElseThrow();
                assertTrue(cells.contains("] | " + f1.format(1, 4) + " [") && cells.endsWith("] | 2 |"), row + cells);
            }
            assertEquals(runs.getFirst().runs().getFirst().params().trainable(), c.get("params").get("trainable").asLong());
        }
        // LoRA against KoRA on the same test images, seed by seed: McNemar's counts from the runs' own predictions
        for (RunResult.Phase phase : RunResult.Phase.values()) {
            JsonNode pair = sweep.get("comparisons").get(phase.label()).get(0);
            assertEquals(1, sweep.get("comparisons").get(phase.label()).size(), "two configurations, one pair");
            for (int seed = 0; seed < 2; seed++) {
                boolean[] lora = byConfiguration.get("lora").get(seed).runs(phase).getFirst().evaluation().predictions().correct();
                boolean[] kora = byConfiguration.get("kora").get(seed).runs(phase).getFirst().evaluation().predictions().correct();
                int b = 0, cc = 0;
                for (int i = 0; i < lora.length; i++) {
                    b += lora[i] && !kora[i] ? 1 : 0;
                    cc += !lora[i] && kora[i] ? 1 : 0;
                }
                JsonNode t = pair.get("seeds").get(seed);
                assertEquals(List.of(b, cc), List.of(t.get("a_right_b_wrong").asInt(), t.get("a_wrong_b_right").asInt()), phase + " seed " + seed);
            }
        }
        assertTrue(report.contains("### Paired comparisons"), report);
        assertTrue(report.contains("![Accuracy vs. parameters tuned](accuracy-vs-params.png)"), report);
        assertTrue(report.contains("![Transfer vs. source accuracy](transfer-vs-source.png)"), report);
        for (String f : List.of(SweepReport.PARAMS_PNG, SweepReport.SCATTER_PNG, "metrics.csv", "predictions.csv")) {
            assertTrue(Files.size(out.resolve(f)) > 1000, f);
        }
    }

    @Test
    @Order(2)
    void runningTheSweepAgainRedoesNothing() throws Exception {
        Path out = undisturbed();
        Map<Path, FileTime> checkpoints = new LinkedHashMap<>();
        try (var files = Files.walk(out.resolve("runs"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".safetensors")).toList()) {
                checkpoints.put(f, Files.getLastModifiedTime(f));
            }
        }
        String before = Files.readString(out.resolve(SweepReport.JSON));
        sweep(out, "local[2]", List.of());
        checkpoints.forEach((f, t) -> assertEquals(t, modified(f), f + " was not written again"));
        assertEquals(before, Files.readString(out.resolve(SweepReport.JSON)), "the same aggregate, read back from the runs' results");
        String log = Files.readString(out.resolve("runs").resolve("kora-seed1").resolve(RunTask.LOG));
        assertTrue(log.strip().endsWith("finished earlier: " + out.resolve("runs").resolve("kora-seed1").resolve("results.json")), log);
    }

    @Test
    @Order(3)
    void aTaskThatFailsMidRunIsRetriedAndResumesToTheSameAggregate() throws Exception {
        Path out = tmp.resolve("disturbed");
        Sweep.Result r = sweep(out, "local[2,2]", List.of("kora-seed0"));
        assertEquals(Map.of("kora-seed0", 1), r.failedAttempts(), "one failed attempt, retried by Spark");
        String log = Files.readString(out.resolve("runs").resolve("kora-seed0").resolve(RunTask.LOG));
        assertTrue(log.contains("failure injected after the checkpoint at step 2"), log);
        assertTrue(log.contains("== kora-seed0: attempt 2 on "), log);
        assertTrue(log.contains("resuming from checkpoint.safetensors: epoch 1, batch 2, step 2"), "the retry resumed: " + log);

        ObjectNode expected = withoutTimings(JSON.readTree(undisturbed().resolve(SweepReport.JSON).toFile()));
        ObjectNode actual = withoutTimings(JSON.readTree(out.resolve(SweepReport.JSON).toFile()));
        assertEquals(expected.get("configurations"), actual.get("configurations"));
        assertEquals(expected.get("runs"), actual.get("runs"));
    }

    /** Wall times differ from sweep to sweep, and the folders' paths differ between these two sweeps. */
    private static ObjectNode withoutTimings(JsonNode sweep) {
        ObjectNode copy = (ObjectNode) sweep.deepCopy();
        copy.withArray("runs").forEach(r -> {
            for (String phase : List.of("source", "transfer")) {
                ((ObjectNode) r.get(phase)).remove("seconds");
            }
        });
        return copy;
    }

    private static FileTime modified(Path f) {
        try {
            return Files.getLastModifiedTime(f);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
