package dev.kora4j.parity;

import dev.kora4j.backend.cuda.CudaSupport;
import dev.kora4j.tensor.Device;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The PyTorch/timm and PEFT golden cases on cuda, within the tolerances GoldenParityTest holds the other backends to. */
@Tag("gpu")
class CudaGoldenParityTest {
    @BeforeEach
    void needsCuda() {
        CudaSupport.assumeCuda();
    }

    static Stream<String> cases() throws IOException {
        List<String> out = new ArrayList<>();
        GoldenParityTest.index().get("cases").forEach(c -> out.add(c.get("name").asText()));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} on cuda")
    @MethodSource("cases")
    void matchesPyTorch(String name) throws IOException {
        GoldenParityTest.assertMatches(name, Device.CUDA);
    }

    static List<String> peftCases() throws IOException {
        return PeftGoldenTest.caseNames();
    }

    @ParameterizedTest(name = "PEFT's {0} on cuda")
    @MethodSource("peftCases")
    void matchesPeft(String name) throws IOException {
        PeftGoldenTest.assertMatches(name, Device.CUDA);
    }
}
