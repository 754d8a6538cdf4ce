package dev.kora4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-product table of `-Dkora.profile=true`: names as GemmCase reads them, sums per step. */
class GemmProfileTest {
    @AfterEach
    void clear() {
        GemmProfile.reset();
    }

    @Test
    void namesGiveTheLayoutsAndTheEpilogueInItsOrder() {
        Gemm.Matrix rowMajor = new Gemm.Matrix(new float[0], 0, 8, 1), transposed = new Gemm.Matrix(new float[0], 0, 1, 8);
        assertEquals("64x8x32xnt", GemmProfile.name(64, 8, 32, rowMajor, transposed, false, null));
        assertEquals("64x8x32xtn+", GemmProfile.name(64, 8, 32, transposed, rowMajor, true, null));
        GemmEpilogue lora = new GemmEpilogue(rowMajor, rowMajor, 8, null, 0, null, 0, new float[32], 0, new float[64 * 32], 0,
                new float[64 * 32], 0);
        assertEquals("64x8x32xnn, rank 8, bias, gelu, residual", GemmProfile.name(64, 8, 32, rowMajor, rowMajor, false, lora));
    }

    @Test
    void theTableGivesEachProductPerStepLargestFirstAndTheTotal() {
        GemmProfile.record("small", 1_000_000, 1_000_000);
        GemmProfile.record("large", 3_000_000, 9_000_000);
        GemmProfile.record("large", 5_000_000, 15_000_000);
        List<List<String>> rows = GemmProfile.table(2).lines().map(l -> List.of(l.trim().split(" {2,}"))).toList();
        assertEquals(List.of("product (MxKxNxlayout)", "ms", "calls", "GFLOP/s"), rows.get(0));
        assertEquals(List.of("large", "4.00", "1", "3.0"), rows.get(1)); // 8 ms and 24 MFLOP over 2 steps
        assertEquals(List.of("small", "0.50", "0", "1.0"), rows.get(2));
        assertEquals(List.of("all products on the pool", "4.50"), rows.get(3));
        assertEquals(4, rows.size());
    }
}
