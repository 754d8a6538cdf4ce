package dev.kora4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kora4j.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParamCountTest {
    /** The seed notebook's KoRA run printed exactly these lines (seed protocol §5.1, §5.4). */
    @Test
    void printsAsTheSeed() {
        ParamCount kora = new ParamCount(1_590_224, 88_157_880);
        assertEquals("Total Parameters: 88.16M\nTrainable Parameters (KORA): 1.59M\nEfficiency Ratio: 1.8038%", kora.seedLines("kora"));
        ParamCount lora = new ParamCount(1_270_692, 87_838_348);
        assertEquals("Efficiency Ratio: 1.4466%", lora.seedLines("lora").lines().toList().get(2));
        assertEquals(1.4466, lora.percent(), 5e-5);
        assertEquals("2.1775%", PythonFormat.percent(new ParamCount(1_926_940, 88_494_596).fraction(), 4));
    }

    @Test
    void countsTensorsByRequiresGrad() {
        Tensor frozen = Tensor.zeros(768, 768);
        Tensor a = Tensor.zeros(8, 768).requiresGrad(true);
        Tensor b = Tensor.zeros(768, 8).requiresGrad(true);
        assertEquals(new ParamCount(2 * 8 * 768, 768 * 768 + 2 * 8 * 768), ParamCount.of(List.of(frozen, a, b, a)));
    }

    @Test
    void rejectsImpossibleCounts() {
        assertThrows(IllegalArgumentException.class, () -> new ParamCount(5, 4));
        assertThrows(IllegalArgumentException.class, () -> new ParamCount(-1, 4));
        assertThrows(IllegalArgumentException.class, () -> new ParamCount(0, 0));
        assertEquals(0.0, new ParamCount(0, 10).percent());
    }

    /** Python rounds the exact binary value, ties to even; String.format would print 1.01 and 0.13. */
    @Test
    void fixedFormatRoundsAsPython() {
        assertEquals("1.00", PythonFormat.fixed(1.005, 2));
        assertEquals("0.12", PythonFormat.fixed(0.125, 2));
        assertEquals("0.38", PythonFormat.fixed(0.375, 2));
        assertEquals("2.67", PythonFormat.fixed(2.675, 2));
        assertEquals("0.8408", PythonFormat.fixed(0.84085, 4));
        assertEquals("-0.00", PythonFormat.fixed(-0.001, 2));
        assertEquals("3", PythonFormat.fixed(2.5 + 0.1, 0));
        assertEquals("nan", PythonFormat.fixed(Double.NaN, 2));
        assertEquals("inf", PythonFormat.fixed(Double.POSITIVE_INFINITY, 2));
        assertEquals("50.0000%", PythonFormat.percent(0.5, 4));
    }
}
