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

    /** The avx2-kernels execution does run 8-lane (or narrower) vectors, not the machine's widest. */
    @Test
    void anExecutionThatCapsTheVectorsGetsThem() {
        String most = System.getProperty("kora.test.maxLanes");
        if (most != null) {
            assertTrue(Simd.LANES <= Integer.parseInt(most), Simd.LANES + " lanes, at most " + most + " expected");
        }
    }
}
