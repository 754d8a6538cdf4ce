package dev.kora4j.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.tensor.Rng;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tuner's search and the cache it keeps its choice in (one quick round per candidate). */
class CpuTuningTest {
    @TempDir Path folder;

    @BeforeEach
    void cacheInTheTestsFolder() {
        System.setProperty("kora.cache.dir", folder.toString());
    }

    @AfterEach
    void restore() {
        System.clearProperty("kora.cache.dir");
        System.clearProperty("kora.tune");
        CpuTuning.use(GemmParams.DEFAULTS);
    }

    @Test
    void aTuneTimesTheDefaultsAndKeepsItsChoiceUntilReset() throws Exception {
        assertTrue(CpuTuning.cached().isEmpty());
        List<GemmTuner.Score> timed = new ArrayList<>();
        // small products: the search and the cache are under test here, not the speed of ViT's shapes
        List<String> products = List.of("64x64x64xnt", "100x300x40xtn", "65x64x65xntx2");
        CpuTuning.Choice choice = CpuTuning.tune(new GemmTuner(1, products), timed::add);

        assertTrue(timed.stream().anyMatch(s -> s.params().equals(GemmParams.DEFAULTS)), "the defaults are a candidate");
        assertTrue(timed.stream().anyMatch(s -> s.params().equals(choice.gemm())), "the choice is a timed candidate");
        assertTrue(timed.stream().allMatch(s -> s.gflops().keySet().equals(Set.copyOf(products)) && s.geomean() > 0));
        assertTrue(choice.gemm().equals(GemmParams.DEFAULTS) || choice.chosenGflops() > choice.defaultsGflops(),
                "a choice other than the defaults was faster than them side by side");
        assertEquals(choice.gemm(), CpuTuning.current(), "the process uses its choice");

        Path file = CpuTuning.cacheFile();
        assertEquals(folder, file.getParent());
        assertEquals(choice, CpuTuning.cached().orElseThrow(), "the cache gives back what was chosen");
        try (var files = Files.list(folder)) {
            assertEquals(List.of(file), files.toList(), "no temporary file is left beside it");
        }
        assertTrue(CpuTuning.reset());
        assertFalse(Files.exists(file));
        assertFalse(CpuTuning.reset());
    }

    @Test
    void aProductInsideAWorkerTaskDoesNotTuneThePoolItRunsOn() throws Exception {
        int threads = Parallel.threads();
        System.setProperty("kora.tune", "auto");
        CpuTuning.forget();
        try {
            Parallel.setThreads(2);
            GemmParams[] seen = new GemmParams[2];
            Parallel.forEach(2, i -> seen[i] = CpuTuning.current());
            assertEquals(List.of(GemmParams.DEFAULTS, GemmParams.DEFAULTS), List.of(seen));
            try (var files = Files.list(folder)) {
                assertEquals(0, files.count(), "nothing was tuned or cached from inside the pool");
            }
        } finally {
            Parallel.setThreads(threads);
        }
    }

    @Test
    void anUnreadableCacheIsIgnored() throws Exception {
        Files.writeString(CpuTuning.cacheFile(), "gemm.kc = lots\n");
        assertTrue(CpuTuning.cached().isEmpty());
        Files.writeString(CpuTuning.cacheFile(), "gemm.kc=0\ngemm.one_block_up_to=0\ngemm.one_block_transposed_up_to=0\ngemm.mc=0\ngemm.panel_vectors=9\n"
                + "machine=m\npeak_gflops=1\ndefaults_gflops=1\nchosen_gflops=1\n");
        assertTrue(CpuTuning.cached().isEmpty(), "a blocking GemmParams refuses is not used");
    }

    @Test
    void theSettingIsAutoOrOff() {
        System.setProperty("kora.tune", "off");
        assertFalse(CpuTuning.enabled());
        System.setProperty("kora.tune", "sometimes");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, CpuTuning::enabled);
        assertEquals("kora.tune / KORA_TUNE must be auto or off, got 'sometimes'", e.getMessage());
    }

    @Test
    void theSearchReachesOneBlockForFc2sDepthAndKeepsItWhileKcChanges() {
        List<GemmParams> limits = GemmTuner.alongAxis(GemmParams.DEFAULTS, 0);
        assertTrue(limits.contains(GemmParams.DEFAULTS), "the defaults are among the first axis' candidates");
        assertEquals(List.of(128, 256, 512, 768, 1536, 3072), limits.stream().map(GemmParams::oneBlockUpTo).toList());
        assertTrue(limits.stream().allMatch(p -> p.oneBlockTransposedUpTo() == 256), "the first axis leaves the transposed limit");

        GemmParams oneBlock = new GemmParams(128, 1536, 768, 128, 0);
        List<GemmParams> transposed = GemmTuner.alongAxis(oneBlock, 1);
        assertEquals(List.of(128, 256, 512, 768, 1536, 3072), transposed.stream().map(GemmParams::oneBlockTransposedUpTo).toList());
        assertTrue(transposed.stream().allMatch(p -> p.oneBlockUpTo() == 1536), "the second axis leaves the row-major limit");

        List<GemmParams> depths = GemmTuner.alongAxis(oneBlock, 2);
        assertTrue(depths.contains(oneBlock));
        assertTrue(depths.stream().allMatch(p -> p.oneBlockUpTo() == 1536 && p.oneBlockTransposedUpTo() == 768),
                "kc's candidates keep the one-block limits: " + depths);
        assertTrue(GemmTuner.alongAxis(new GemmParams(64, 64, 128, 0), 2).contains(new GemmParams(256, 256, 128, 0)),
                "a limit below kc becomes kc");
        for (int axis = 0; axis < 5; axis++) {
            assertTrue(GemmTuner.alongAxis(oneBlock, axis).contains(oneBlock), "axis " + axis + " keeps its starting point");
        }
    }

    @Test
    void candidatesAreComparedOnTheProductsTheyCutDifferently() {
        GemmCase deep = new GemmCase("8x3072x16xnt", new Rng(1)), transposed = new GemmCase("8x1576x16xtn", new Rng(1));
        GemmParams upTo1536 = new GemmParams(128, 1536, 512, 128, 0), upTo3072 = new GemmParams(128, 3072, 512, 128, 0);
        assertFalse(deep.blockedAlike(upTo1536, upTo3072), "k = 3072 is one block under the second only");
        assertTrue(transposed.blockedAlike(upTo1536, upTo3072), "a transposed A follows its own limit, 512 in both");
        assertFalse(transposed.blockedAlike(upTo1536, new GemmParams(128, 1536, 3072, 128, 0)));
        assertFalse(deep.blockedAlike(upTo1536, new GemmParams(128, 1536, 512, 64, 0)), "another row block");
    }

    @Test
    void eachLayoutOfAHasItsOwnOneBlockLimit() {
        GemmParams p = new GemmParams(128, 1536, 256, 128, 0);
        assertEquals(1000, p.kcFor(1000, false), "a row-major A: one block up to 1536");
        assertEquals(128, p.kcFor(1000, true), "a transposed A: blocks of kc past 256");
        assertEquals(200, p.kcFor(200, true));
        assertEquals(128, p.kcFor(2000, false));
    }

    @Test
    void theMachineNamesVectorsThreadsAndTunerVersion() {
        String machine = CpuTuning.machine();
        assertTrue(machine.contains(Parallel.threads() + " threads") && machine.endsWith("tuner " + CpuTuning.TUNER_VERSION), machine);
    }
}
