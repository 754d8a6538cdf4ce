package dev.kora4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SimdTest {
    @Test
    void theStartUpCheckFollowsTheJvmAndTheSwitch() {
        boolean forcedOff = "false".equals(System.getProperty("kora.simd"));
        // On the C2-compiled JVMs that run these tests, only the switch turns SIMD off.
        assertEquals(!forcedOff, Simd.ENABLED);
        assertEquals(Simd.ENABLED ? Simd.F32.loopBound(100) : 0, Simd.loopBound(100));
        assertTrue(Simd.LANES >= 4);
    }
}
