package dev.kora4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kora4j.io.InputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsJsonTest {
    @TempDir
    Path dir;

    @Test
    void readsBackTheSameValues() throws Exception {
        Experiment e = SampleRuns.seedLike();
        Path file = dir.resolve("results.json");
        ResultsJson.write(e, file);
        Experiment back = ResultsJson.read(file);
        assertEquals(e, back);
        assertEquals(List.copyOf(e.settings().keySet()), List.copyOf(back.settings().keySet()), "settings keep their order");
        assertEquals(List.copyOf(e.runs().get(0).config().keySet()), List.copyOf(back.runs().get(0).config().keySet()));
        assertEquals(ResultsJson.toJson(e), Files.readString(file));
    }

    @Test
    void followsTheDocumentedSchema() throws Exception {
        JsonNode root = new ObjectMapper().readTree(ResultsJson.toJson(SampleRuns.seedLike()));
        assertEquals(ResultsJson.SCHEMA, root.get("schema").asText());
        JsonNode kora = root.get("runs").get(1);
        assertEquals("KoRA (d_comp=4)", kora.get("method").asText());
        assertEquals("source", kora.get("phase").asText());
        assertEquals(1_590_224, kora.get("params").get("trainable").asLong());
        assertEquals(1.8038, kora.get("params").get("percent").asDouble(), 5e-5);
        assertEquals(5, kora.get("epochs").size());
        assertEquals(0.8408, kora.get("epochs").get(4).get("val_accuracy").asDouble());
        assertEquals(0.8408, kora.get("final").get("accuracy").asDouble());
        assertEquals(100, kora.get("final").get("true_classes").asInt());
        assertTrue(kora.get("final").get("collapsed_to").isNull());
        assertEquals(0.75948519, kora.get("cka").get("matrix").get(1).get(2).asDouble());
        assertEquals("Block 11", kora.get("cka").get("labels").get(2).asText());
        assertEquals(3071.9, kora.get("timings").get("seconds").asDouble());

        JsonNode loraEpochs = root.get("runs").get(0).get("epochs");
        assertTrue(loraEpochs.get(3).get("val_loss").isNull(), "NaN is written as null");
        JsonNode transfer = root.get("runs").get(3).get("final");
        assertEquals(0, transfer.get("collapsed_to").asInt());
        assertEquals(1, transfer.get("true_classes").asInt());
        assertEquals(2 * 0.9834 / 1.9834, transfer.get("identity_f1").asDouble(), 1e-15);
        assertTrue(root.get("runs").get(2).get("loss") == null && root.get("runs").get(2).get("final").get("loss").isNull());
        assertTrue(root.get("runs").get(2).get("cka").isNull());
    }

    @Test
    void errorsNameTheFileAndTheKey() {
        String good = ResultsJson.toJson(SampleRuns.seedLike());
        InputException e = assertThrows(InputException.class,
                () -> ResultsJson.parse("r.json", good.replaceFirst("\"accuracy\" : [0-9.]+", "\"accuracy\" : \"high\"")));
        assertEquals("r.json: runs[0].final.accuracy must be a number or null, got \"high\"", e.getMessage());
        e = assertThrows(InputException.class, () -> ResultsJson.parse("r.json", good.replace("kora4j-results/1", "other/2")));
        assertEquals("r.json: schema is 'other/2', expected 'kora4j-results/1'", e.getMessage());
        e = assertThrows(InputException.class, () -> ResultsJson.parse("r.json", good.replaceFirst("\"seed\" : 0", "\"seed\" : 0.5")));
        assertEquals("r.json: runs[0].seed must be a whole number, got 0.5", e.getMessage());
        e = assertThrows(InputException.class, () -> ResultsJson.parse("r.json", good.replaceFirst("\"phase\" : \"source\"", "\"phase\" : \"src\"")));
        assertEquals("r.json: runs[0].phase must be \"source\" or \"transfer\", got \"src\"", e.getMessage());
        e = assertThrows(InputException.class, () -> ResultsJson.parse("r.json", "{\"schema\": \"kora4j-results/1\""));
        assertTrue(e.getMessage().startsWith("r.json: not valid JSON at line"), e.getMessage());
        e = assertThrows(InputException.class, () -> ResultsJson.parse("r.json", "[]"));
        assertEquals("r.json: the top level must be an object", e.getMessage());
        e = assertThrows(InputException.class, () -> ResultsJson.read(dir.resolve("missing.json")));
        assertTrue(e.getMessage().endsWith("missing.json: no such file"));
    }

    @Test
    void predictionsIntervalsAndTheHeadlineRoundTrip() throws Exception {
        Experiment e = SampleRuns.seedLike();
        Experiment headed = new Experiment(e.title(), e.settings(), e.runs(), e.warnings(), List.of(SampleRuns.KORA, SampleRuns.LORA));
        Experiment back = ResultsJson.parse("r.json", ResultsJson.toJson(headed));
        assertEquals(headed, back);
        assertEquals(List.of(SampleRuns.KORA, SampleRuns.LORA), back.headline());
        assertEquals(e.runs().get(1).evaluation().predictions(), back.runs().get(1).evaluation().predictions());
        assertEquals(e.runs().get(1).evaluation().weightedF1Interval(), back.runs().get(1).evaluation().weightedF1Interval());
        JsonNode kora = new ObjectMapper().readTree(ResultsJson.toJson(e)).get("runs").get(1).get("final");
        assertEquals(0.833498542987, kora.get("accuracy_ci").get(0).asDouble(), 1e-12); // statsmodels' Wilson for 8408 of 10000
        assertEquals(10000, kora.get("predictions").get("predicted").size());
    }

    /** results.json files written before intervals and predictions were kept still read, without them. */
    @Test
    void filesWithoutPredictionsOrIntervalsStillRead() throws Exception {
        ObjectNode root = (ObjectNode) new ObjectMapper().readTree(ResultsJson.toJson(SampleRuns.seedLike()));
        for (JsonNode run : root.get("runs")) {
            ((ObjectNode) run.get("final")).remove(List.of("accuracy_ci", "f1_weighted_ci", "predictions"));
        }
        Experiment old = ResultsJson.parse("old.json", root.toString());
        assertEquals(null, old.runs().get(0).evaluation().predictions());
        assertEquals(null, old.runs().get(0).evaluation().weightedF1Interval());
        assertEquals(SampleRuns.seedLike().runs().get(0).evaluation().accuracyInterval(), old.runs().get(0).evaluation().accuracyInterval(),
                "Wilson's interval follows from the counts");

        ((ObjectNode) root.get("runs").get(0).get("final")).putObject("predictions").putArray("labels").add(1);
        InputException e = assertThrows(InputException.class, () -> ResultsJson.parse("r.json", root.toString()));
        assertEquals("r.json: runs[0].final.predictions.predicted is missing", e.getMessage());
    }

    @Test
    void anEmptyExperimentRoundTrips() {
        Experiment e = new Experiment("empty", Map.of(), List.of(), List.of());
        assertEquals(e, ResultsJson.parse("x", ResultsJson.toJson(e)));
    }
}
