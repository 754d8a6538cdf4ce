package dev.kora4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.io.InputException;
import dev.kora4j.io.JsonFile;
import dev.kora4j.peft.AdapterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SWEEP.json: reading, checking and expanding into runs (no Spark here). */
class SweepSpecTest {
    @TempDir
    Path tmp;

    private Path spec(String grid, String extra) throws Exception {
        Path methods = DemoData.demo().resolve("methods");
        for (String m : List.of("lora", "kora", "kora_seed", "linear_probe")) {
            Files.copy(methods.resolve(m + ".json"), tmp.resolve(m + ".json"));
        }
        Files.createDirectories(tmp.resolve("data"));
        String json = """
                {
                  "model": "%s",
                  "source": {"data": "idx:data"},
                  "train": {"epochs": 3, "lr": 1e-3},
                  "grid": %s
                  %s
                }
                """.formatted(DemoData.demo().resolve("backbone/config.json"), grid, extra);
        return Files.writeString(tmp.resolve("spec.json"), json);
    }

    @Test
    void theGridExpandsIntoEveryApplicableCombinationTimesEverySeed() throws Exception {
        SweepSpec s = SweepSpec.read(spec("""
                {"method": ["lora.json", "kora.json", "linear_probe.json"], "rank": [4, 8], "lr": [1e-4, 0.005]}""",
                ", \"seeds\": [0, 1], \"transfer\": {\"data\": \"idx:data\", \"shots\": 5}"));
        List<RunSpec> runs = s.expand();
        // LoRA and KoRA: 2 ranks × 2 learning rates; the probe has no rank: 2 learning rates; each with 2 seeds
        assertEquals((4 + 4 + 2) * 2, runs.size());
        assertEquals(List.of("lora-r4-lr0.0001-seed0", "lora-r4-lr0.0001-seed1", "lora-r4-lr0.005-seed0", "lora-r4-lr0.005-seed1",
                "lora-r8-lr0.0001-seed0"), runs.subList(0, 5).stream().map(RunSpec::id).toList());
        assertEquals(List.of("linear_probe-lr0.0001-seed0", "linear_probe-lr0.0001-seed1", "linear_probe-lr0.005-seed0",
                "linear_probe-lr0.005-seed1"), runs.subList(16, 20).stream().map(RunSpec::id).toList());

        RunSpec kora = runs.stream().filter(r -> r.id().equals("kora-r8-lr0.005-seed1")).findFirst().orElseThrow();
        assertEquals("kora-r8-lr0.005", kora.configuration());
        assertEquals("KoRA (r=8, d_comp=4), lr=0.005", kora.label(), "the rank is in the method's name, the varying lr added");
        assertEquals("KoRA", kora.family());
        assertEquals(Map.of("method", "kora", "rank", "8", "lr", "0.005"), kora.grid());
        assertEquals(8, AdapterConfig.parse(JsonFile.parse("t", kora.adapterConfig())).r());
        assertEquals(0.005, kora.sourceOptions().lr());
        assertEquals(3, kora.sourceOptions().epochs());
        assertEquals(1, kora.sourceOptions().seed());
        assertEquals(32, kora.sourceOptions().batch(), "kora train's default");
        assertEquals(10, kora.transfer().options().epochs(), "kora transfer's defaults");
        assertEquals(1e-3, kora.transfer().options().lr());
        assertEquals(1, kora.transfer().options().seed());
        assertEquals(5, kora.transfer().shots());
        assertEquals("idx:" + tmp.resolve("data"), kora.sourceData(), "relative to the spec's folder");
        assertEquals("Linear probe, lr=0.0001", runs.get(16).label());
    }

    @Test
    void theRepositorysDemoSweepReadsAsTheReadmeSays() {
        List<RunSpec> runs = SweepSpec.read(DemoData.home().resolve("spark/demo-sweep.json")).expand();
        assertEquals(10, runs.size(), "LoRA and KoRA at two ranks, one probe, two seeds");
        assertEquals("idx:" + DemoData.demo().resolve("mnist"), runs.getFirst().sourceData());
    }

    @Test
    void aRunTravelsAsJsonAndComesBackTheSame() throws Exception {
        RunSpec r = SweepSpec.read(spec("{\"method\": [\"kora_seed.json\"], \"composition_dim\": [2, 6]}", "")).expand().get(1);
        assertEquals("kora_seed-dcomp6-seed0", r.id());
        assertNull(r.transfer());
        RunSpec back = RunSpec.parse("t", r.toJson());
        assertEquals(r, back);
        assertEquals(r.computed(), back.computed());
    }

    @Test
    void twoConfigurationsTablesWouldNameAlikeAreToldApart() throws Exception {
        Files.createDirectories(tmp.resolve("other"));
        Path spec = spec("{\"method\": [\"kora_seed.json\", \"other/kora_seed2.json\"], \"rank\": [4, 8]}", "");
        Files.copy(tmp.resolve("kora_seed.json"), tmp.resolve("other/kora_seed2.json"));
        List<RunSpec> runs = SweepSpec.read(spec).expand();
        // the seed's KoRA is named by d_comp only, so the varying rank is added; two files of one type still need their ids
        assertEquals(List.of("Seed KoRA (d_comp=4), rank=4 [kora_seed-r4]", "Seed KoRA (d_comp=4), rank=8 [kora_seed-r8]",
                "Seed KoRA (d_comp=4), rank=4 [kora_seed2-r4]", "Seed KoRA (d_comp=4), rank=8 [kora_seed2-r8]"),
                runs.stream().map(RunSpec::label).toList());
    }

    @Test
    void mistakesAreNamed() throws Exception {
        assertTrue(message("{\"method\": [\"lora.json\"], \"dropout\": [0.1]}", "").contains("grid: dropout is not a grid key"));
        assertTrue(message("{\"method\": [\"lora.json\"], \"seed\": [1]}", "").contains("belongs at the top level"));
        assertTrue(message("{\"rank\": [4]}", "").contains("grid: method is missing"));
        assertTrue(message("{\"method\": [\"nope.json\"]}", "").contains("nope.json is not a file"));
        assertTrue(message("{\"method\": [\"lora.json\"], \"rank\": [\"8\"]}", "").contains("must list numbers"));
        assertTrue(message("{\"method\": [\"lora.json\"], \"rank\": [0]}", "").contains("r must be between 1 and 4096"));
        assertTrue(message("{\"method\": [\"lora.json\"]}", ", \"seeds\": [1, 1]").contains("lists a seed twice"));
        assertTrue(message("{\"method\": [\"lora.json\"]}", ", \"epochs\": 3").contains("epochs is not a known key here"));
    }

    private String message(String grid, String extra) throws Exception {
        Path file = spec(grid, extra);
        InputException e = assertThrows(InputException.class, () -> SweepSpec.read(file).expand());
        for (String m : List.of("lora", "kora", "kora_seed", "linear_probe")) {
            Files.delete(tmp.resolve(m + ".json"));
        }
        return e.getMessage();
    }
}
