package dev.kora4j.ops;

import dev.kora4j.autograd.GradCheck;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every op's backward rule against finite differences in F64 (reference backend). */
class GradCheckTest {
    static Stream<OpCase> cases() {
        return OpCatalog.small().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void backwardMatchesFiniteDifferences(OpCase op) {
        GradCheck.check(op.toString(), op.f(), op.inputs(DType.F64, Device.REFERENCE));
    }
}
