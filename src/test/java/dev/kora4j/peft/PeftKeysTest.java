package dev.kora4j.peft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kora4j.io.JsonFile;
import dev.kora4j.nn.ViTConfigs;
import dev.kora4j.nn.VisionTransformer;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The other direction: for each config in test-data/golden/peft/keys.json, kora4j's adapter holds
 * exactly the keys and shapes PEFT 0.21's get_peft_model_state_dict gives on the same timm model,
 * so what kora4j writes loads in PEFT without a missing or unexpected key, and each module PEFT
 * adapts has PEFT's rank and scaling.
 */
class PeftKeysTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> configs() throws IOException {
        JsonNode root = JSON.readTree(Path.of("test-data", "golden", "peft", "keys.json").toFile());
        List<Arguments> out = new ArrayList<>();
        root.get("cases").properties().forEach(e -> out.add(Arguments.of("case " + e.getKey(), e.getValue(), e.getValue())));
        root.get("probes").properties().stream().filter(e -> e.getValue().has("keys"))
                .forEach(e -> out.add(Arguments.of("probe " + e.getKey(), e.getValue(), e.getValue())));
        JsonNode demo = root.get("demo_backbone");
        demo.properties().stream().filter(e -> e.getValue().has("keys"))
                .forEach(e -> out.add(Arguments.of("demo backbone " + e.getKey(), demo, e.getValue())));
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void writesExactlyPeftsKeys(String what, JsonNode model, JsonNode config) throws IOException {
        ObjectNode vitJson = JSON.createObjectNode().put("architecture", "vit_tiny_patch16_224").put("num_classes", model.get("num_classes").asInt());
        vitJson.set("model_args", model.get("model_args"));
        VisionTransformer vit = new VisionTransformer(ViTConfigs.parse(JsonFile.parse(what, vitJson.toString())), new Rng(0), DType.F32,
                Device.CPU);
        ObjectNode adapterJson = ((ObjectNode) config.get("lora_config").deepCopy()).put("peft_type", "LORA");
        AdapterConfig adapter = AdapterConfig.parse(JsonFile.parse(what, adapterJson.toString()));
        PeftModel m = PeftModel.inject(vit, adapter, new Rng(1));

        Map<String, String> expected = new TreeMap<>(), actual = new TreeMap<>();
        for (JsonNode k : config.get("keys")) {
            expected.put(k.get(0).asText(), k.get(1).asText() + " " + k.get(2));
        }
        m.adapterTensors().forEach((name, t) -> actual.put(name, t.dtype() + " " + JSON.valueToTree(t.shape())));
        assertEquals(expected, actual, what);

        if (config.has("adapted_modules")) {
            JsonNode modules = config.get("adapted_modules");
            modules.properties().forEach(e -> {
                JsonNode v = e.getValue();
                int r = v.isArray() ? v.get(0).asInt() : v.get("r").asInt();
                double s = v.isArray() ? v.get(1).asDouble() : v.get("scaling").asDouble();
                assertEquals(r, adapter.rankOf(e.getKey()), what + " " + e.getKey() + ": r");
                assertEquals(s, adapter.scalingOf(e.getKey()), 1e-12, what + " " + e.getKey() + ": scaling");
            });
            assertTrue(modules.size() > 0, what);
        }
    }

    /**
     * PEFT takes the first rank_pattern key that matches, in its dict's order, and its own save sorts
     * the keys (so a file PEFT writes can reload with other ranks). kora4j keeps the file's order, on
     * reading and on writing: it gives PEFT's in-memory ranks, and a file it writes keeps them.
     */
    @org.junit.jupiter.api.Test
    void patternKeysAreTriedInTheFilesOrder() throws IOException {
        JsonNode probe = JSON.readTree(Path.of("test-data", "golden", "peft", "keys.json").toFile()).get("probes").get("rank_pattern_order");
        String json = ((ObjectNode) probe.get("lora_config").deepCopy()).put("peft_type", "LORA").toString();
        AdapterConfig read = AdapterConfig.parse(JsonFile.parse("probe", json));
        AdapterConfig again = AdapterConfig.parse(JsonFile.parse("written", read.toJson()));
        probe.get("in_memory_r").properties().forEach(e -> {
            assertEquals(e.getValue().asInt(), read.rankOf(e.getKey()), e.getKey());
            assertEquals(e.getValue().asInt(), again.rankOf(e.getKey()), e.getKey() + " after kora4j wrote the config");
        });
    }
}
