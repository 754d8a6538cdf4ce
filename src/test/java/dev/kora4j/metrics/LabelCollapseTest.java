package dev.kora4j.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LabelCollapseTest {
    @Test
    void detectsOneClass() {
        assertEquals(new LabelCollapse(1, 0), LabelCollapse.of(new int[] {0, 0, 0}));
        assertTrue(LabelCollapse.of(new int[] {7}).collapsed());
        assertEquals(7, LabelCollapse.of(new int[] {7, 7}).label());
        LabelCollapse two = LabelCollapse.of(new int[] {0, 0, 1});
        assertFalse(two.collapsed());
        assertEquals(2, two.distinctLabels());
        assertEquals(-1, two.label());
        assertEquals(new LabelCollapse(0, -1), LabelCollapse.of(new int[0]));
        assertThrows(IllegalArgumentException.class, () -> LabelCollapse.of(new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> new LabelCollapse(2, 0));
        assertThrows(IllegalArgumentException.class, () -> new LabelCollapse(1, -1));
    }

    /** The seed protocol's table (§5.7): every reported Tiny ImageNet pair satisfies F1 = 2·acc/(1+acc). */
    @Test
    void seedTransferPairsSatisfyTheIdentity() {
        double[][] pairs = {{0.9834, 0.9916}, {0.0024, 0.0048}, {0.9737, 0.9867}, {0.9824, 0.9911}, {0.7104, 0.8307}, {0.4667, 0.6364}};
        for (double[] pair : pairs) {
            assertEquals(PythonFormat.fixed(pair[1], 4), PythonFormat.fixed(LabelCollapse.identityF1(pair[0]), 4), "acc " + pair[0]);
        }
        assertTrue(LabelCollapse.identityHolds(0.5, 2.0 / 3));
        assertFalse(LabelCollapse.identityHolds(0.5, 0.6));
    }
}
