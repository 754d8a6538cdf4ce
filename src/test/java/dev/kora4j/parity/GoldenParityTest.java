package dev.kora4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kora4j.Asserts;
import dev.kora4j.io.Safetensors;
import dev.kora4j.io.SafetensorsFile;
import dev.kora4j.nn.PosEmbedResample;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The golden cases of test-data/golden (made by PyTorch + timm in float64, see its README) reproduced
 * on the reference and cpu backends, far inside the contract's tolerances (‖Δ‖/‖ref‖ ≤ 1e-4 for
 * logits and loss, 1e-3 for gradients): a few times what float32 achieves, as a whole and per element.
 */
public class GoldenParityTest {
    static final Path GOLDEN = Path.of("test-data", "golden");
    /**
     * ‖Δ‖/‖ref‖ for every output. PyTorch's own float32 rerun reaches 1.6e-6 and kora4j 1e-5 (the
     * eight-stage KORA_SEED chain); the contract allows 1e-4 and 1e-3.
     */
    public static final double NORM = 5e-5;
    /**
     * Per element: |Δ| ≤ ELEMENT_RMS·rms(ref) + ELEMENT_RTOL·|ref|. The worst element of PyTorch's
     * float32 rerun is 1e-5 of its tensor's RMS, kora4j's 3.5e-5.
     */
    static final double ELEMENT_RMS = 1e-4, ELEMENT_RTOL = 5e-5;

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : index().get("cases")) {
            for (Device d : new Device[] {Device.REFERENCE, Device.CPU}) {
                out.add(Arguments.of(c.get("name").asText(), d));
            }
        }
        return out.stream();
    }

    static JsonNode index() throws IOException {
        return new ObjectMapper().readTree(GOLDEN.resolve("index.json").toFile());
    }

    /** A case's files; a case with inputs_from reads that case's backbone and batch. */
    static Parity.Inputs inputs(String name) throws IOException {
        Path dir = GOLDEN.resolve(name), shared = dir;
        for (JsonNode c : index().get("cases")) {
            if (c.get("name").asText().equals(name) && c.has("inputs_from")) {
                shared = GOLDEN.resolve(c.get("inputs_from").asText());
            }
        }
        boolean adapter = Files.exists(dir.resolve("adapter.safetensors"));
        return new Parity.Inputs(dir.resolve("config.json"), shared.resolve("backbone.safetensors"),
                adapter ? dir.resolve("adapter_config.json") : null, adapter ? dir.resolve("adapter.safetensors") : null,
                shared.resolve("batch.safetensors"));
    }

    @ParameterizedTest(name = "{0} on {1}")
    @MethodSource("cases")
    void matchesPyTorch(String name, Device device) throws IOException {
        assertMatches(name, device);
    }

    /** Every output of the case on {@code device} against PyTorch's. */
    static void assertMatches(String name, Device device) throws IOException {
        assertOutputs(name, Parity.run(inputs(name), device), GOLDEN.resolve(name).resolve("expected.safetensors"));
    }

    /** The same set of outputs as the file, each within {@link #NORM} and the per-element bound. */
    static void assertOutputs(String name, Map<String, Tensor> got, Path expectedFile) throws IOException {
        try (SafetensorsFile expected = Safetensors.open(expectedFile)) {
            assertEquals(new TreeSet<>(expected.names()), new TreeSet<>(got.keySet()), name + ": the set of outputs");
            for (String key : expected.names()) {
                assertWithin(name + " " + key, expected.tensor(key), got.get(key), NORM);
            }
        }
    }

    /**
     * The relative norm of the difference within {@code relTolerance} and every element within the
     * class's per-element bound, or, where the reference is zero (‖ref‖ ≤ 1e-6), ‖Δ‖ ≤ 1e-6.
     */
    public static void assertWithin(String what, Tensor expected, Tensor actual, double relTolerance) {
        assertEquals(List.of(box(expected.shape())), List.of(box(actual.shape())), what + ": shape");
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        double diff = 0, ref = 0;
        for (int i = 0; i < e.length; i++) {
            diff += (a[i] - e[i]) * (a[i] - e[i]);
            ref += e[i] * e[i];
        }
        diff = Math.sqrt(diff);
        ref = Math.sqrt(ref);
        boolean ok = ref <= 1e-6 ? diff <= 1e-6 : diff / ref <= relTolerance;
        if (!ok) {
            fail(String.format(Locale.ROOT, "%s: ‖Δ‖ = %.3g, ‖ref‖ = %.3g (relative %.3g > %.1g)", what, diff, ref, diff / ref, relTolerance));
        }
        if (ref > 1e-6) {
            double rms = ref / Math.sqrt(e.length);
            Asserts.assertClose(what, expected, actual, ELEMENT_RTOL, ELEMENT_RMS * rms);
        }
    }

    private static Object box(int[] shape) {
        return java.util.Arrays.stream(shape).boxed().toList();
    }

    @Test
    void positionEmbeddingResamplesAsTimmDoes() throws IOException {
        Path dir = GOLDEN.resolve("pos_embed_resample");
        JsonNode cases = new ObjectMapper().readTree(dir.resolve("cases.json").toFile()).get("cases");
        try (SafetensorsFile f = Safetensors.open(dir.resolve("resample.safetensors"))) {
            Tensor input = f.tensor("input");
            int count = 0;
            for (JsonNode c : cases) {
                int h = c.get("target_grid").get(0).asInt(), w = c.get("target_grid").get(1).asInt();
                Tensor got = PosEmbedResample.resample(input, h, w);
                assertWithin("resample to " + h + "x" + w, f.tensor(c.get("tensor").asText()), got, 1e-6);
                count++;
            }
            assertTrue(count >= 5);
        }
    }
}
