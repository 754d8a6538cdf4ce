package dev.kora4j;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kora4j.data.CifarBinaryFuzzTest;
import dev.kora4j.data.IdxDatasetFuzzTest;
import dev.kora4j.data.ImageDecoderFuzzTest;
import dev.kora4j.data.TinyImageNetFuzzTest;
import dev.kora4j.io.SafetensorsFuzzTest;
import dev.kora4j.nn.ViTConfigFuzzTest;
import dev.kora4j.peft.AdapterConfigFuzzTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every parser's fuzz target behind one: the first input byte picks the target (its value modulo
 * the number of targets, in the order of {@link #TARGETS}), the rest is that target's input. Jazzer
 * fuzzes one test per JVM, so this is what the test suite's short fuzzing run (the surefire
 * execution {@code fuzz-ci}) fuzzes: all parsers in one run. Its seeds are the other targets' seeds,
 * each behind its selector byte (scripts/make_fuzz_seeds.py).
 */
class AllParsersFuzzTest {
    interface Target {
        void run(byte[] input, Path scratch) throws Exception;
    }

    static final List<Target> TARGETS = List.of(SafetensorsFuzzTest::target, ViTConfigFuzzTest::target,
            AdapterConfigFuzzTest::target, CifarBinaryFuzzTest::target, IdxDatasetFuzzTest::target, TinyImageNetFuzzTest::target,
            ImageDecoderFuzzTest::target);

    @TempDir
    static Path tmp;

    @FuzzTest(maxDuration = "10s")
    void anyParser(byte[] input) throws Exception {
        if (input.length == 0) {
            return;
        }
        int which = (input[0] & 0xFF) % TARGETS.size();
        Path scratch = Files.createDirectories(tmp.resolve("target" + which));
        TARGETS.get(which).run(Arrays.copyOfRange(input, 1, input.length), scratch);
    }
}
