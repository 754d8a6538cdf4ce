package dev.kora4j.peft;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kora4j.FuzzCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * adapter_config.json (PEFT's keys and KoRA's) on arbitrary bytes, read from a file as `parity` and
 * `train` read it, then matched against module names as an adapter is attached. target_modules may be
 * a regex by PEFT's rules, so Jazzer's "regular expression injection" detector is off for the fuzz
 * tests (src/test/resources/junit-platform.properties); ModuleMatcher bounds the cost of a match instead.
 */
public class AdapterConfigFuzzTest {
    static final String[] MODULES = {"blocks.0.attn.qkv", "blocks.11.attn.proj", "blocks.3.mlp.fc1", "blocks.10.mlp.fc2", "head"};

    @TempDir
    static Path tmp;

    @FuzzTest
    void read(byte[] input) throws Exception {
        target(input, tmp);
    }

    /** One fuzz input, with {@code dir} as scratch space. */
    public static void target(byte[] input, Path dir) throws Exception {
        Path file = Files.write(dir.resolve("adapter_config.json"), input);
        FuzzCheck.check(input.length, 4 << 20, 64, () -> {
            AdapterConfig c = AdapterConfig.read(file);
            c.toJson();
            for (String module : MODULES) {
                if (c.rule() != null) {
                    c.rule().selects(module, true);
                    c.scalingOf(module); // rank_pattern and alpha_pattern's regexes
                }
                c.loraTargets().matches(module);
            }
        });
    }
}
