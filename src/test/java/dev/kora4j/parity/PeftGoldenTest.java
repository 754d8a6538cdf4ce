package dev.kora4j.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kora4j.tensor.Device;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Adapters written by PEFT 0.21 itself on timm models (test-data/golden/peft, see its README): kora4j
 * reads each as PEFT does (the same modules, ranks and scalings, Conv2d LoRA on the patch embedding,
 * DoRA, rank and alpha patterns, layer selection, "all-linear") and reproduces PEFT's logits, loss
 * and every gradient, on the reference and cpu backends, to the golden cases' bounds.
 */
public class PeftGoldenTest {
    static final Path PEFT = GoldenParityTest.GOLDEN.resolve("peft");

    static List<String> caseNames() throws IOException {
        JsonNode keys = new ObjectMapper().readTree(PEFT.resolve("keys.json").toFile()).get("cases");
        List<String> names = new ArrayList<>();
        keys.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (String name : caseNames()) {
            for (Device d : new Device[] {Device.REFERENCE, Device.CPU}) {
                out.add(Arguments.of(name, d));
            }
        }
        return out.stream();
    }

    /** A case's files, the adapter as PEFT's save_pretrained wrote it. */
    static Parity.Inputs inputs(String name) {
        Path dir = PEFT.resolve(name), adapter = dir.resolve("adapter");
        return new Parity.Inputs(dir.resolve("config.json"), dir.resolve("backbone.safetensors"), adapter.resolve("adapter_config.json"),
                adapter.resolve("adapter_model.safetensors"), dir.resolve("batch.safetensors"));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void matchesPeft(String name, Device device) throws IOException {
        assertMatches(name, device);
    }

    /** Every output of the case on {@code device} against PEFT's. */
    static void assertMatches(String name, Device device) throws IOException {
        GoldenParityTest.assertOutputs(name, Parity.run(inputs(name), device), PEFT.resolve(name).resolve("expected.safetensors"));
    }
}
