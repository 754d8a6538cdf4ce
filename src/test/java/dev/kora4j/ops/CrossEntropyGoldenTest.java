package dev.kora4j.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kora4j.Asserts;
import dev.kora4j.Tolerance;
import dev.kora4j.io.Safetensors;
import dev.kora4j.io.SafetensorsFile;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cross-entropy with and without label smoothing against PyTorch's {@code F.cross_entropy(...,
 * label_smoothing=ε)} in float64 (test-data/golden/loss_and_preprocess, made by its script): the mean loss and
 * d loss / d logits, on logits of order 1, over ±75 and in a single row of 100 classes.
 */
class CrossEntropyGoldenTest {
    private static final Path DIR = Path.of("test-data", "golden", "loss_and_preprocess");

    static Stream<Arguments> cases() throws IOException {
        JsonNode ce = new ObjectMapper().readTree(DIR.resolve("cases.json").toFile()).get("cross_entropy");
        List<Arguments> out = new ArrayList<>();
        for (JsonNode name : ce.get("cases")) {
            for (int k = 0; k < ce.get("label_smoothing").size(); k++) {
                for (Device d : new Device[] {Device.REFERENCE, Device.CPU}) {
                    out.add(Arguments.of(name.asText(), k, ce.get("label_smoothing").get(k).asDouble(), d));
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}, label_smoothing {2}, on {3}")
    @MethodSource("cases")
    void matchesPyTorch(String name, int k, double smoothing, Device device) throws IOException {
        try (SafetensorsFile f = Safetensors.open(DIR.resolve("cross_entropy.safetensors"))) {
            Tensor logits = f.tensor(name + ".logits").to(device).requiresGrad(true);
            Tensor loss = CrossEntropy.crossEntropy(logits, f.ints(name + ".labels"), smoothing);
            loss.backward();
            String what = name + " at label_smoothing " + smoothing + " on " + device;
            // a softmax and a log-sum-exp over up to 100 classes, then a mean over the rows
            Asserts.assertClose(what + ": loss", f.tensor(name + ".eps" + k + ".loss"), loss.to(Device.CPU), Tolerance.SUMS);
            Asserts.assertClose(what + ": d loss / d logits", f.tensor(name + ".eps" + k + ".grad"), logits.grad().to(Device.CPU), Tolerance.SUMS);
        }
    }
}
