package dev.kora4j.parity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kora4j.backend.cuda.CudaSupport;
import dev.kora4j.io.Safetensors;
import dev.kora4j.io.SafetensorsFile;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The PyTorch/timm golden cases on cuda, within the tolerances GoldenParityTest holds the other backends to. */
@Tag("gpu")
class CudaGoldenParityTest {
    @BeforeEach
    void needsCuda() {
        CudaSupport.assumeCuda();
    }

    static Stream<String> cases() throws IOException {
        JsonNode index = new ObjectMapper().readTree(GoldenParityTest.GOLDEN.resolve("index.json").toFile());
        List<String> out = new ArrayList<>();
        index.get("cases").forEach(c -> out.add(c.get("name").asText()));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} on cuda")
    @MethodSource("cases")
    void matchesPyTorch(String name) {
        Path dir = GoldenParityTest.GOLDEN.resolve(name);
        Map<String, Tensor> got = Parity.run(GoldenParityTest.inputs(dir), Device.CUDA);
        try (SafetensorsFile expected = Safetensors.open(dir.resolve("expected.safetensors"))) {
            for (String key : expected.names()) {
                double tolerance = key.startsWith("grad.") ? 1e-3 : 1e-4;
                GoldenParityTest.assertWithin(name + " " + key, expected.tensor(key), got.get(key), tolerance);
            }
        }
    }
}
