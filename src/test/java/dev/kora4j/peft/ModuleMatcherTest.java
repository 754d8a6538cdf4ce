package dev.kora4j.peft;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.io.InputException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModuleMatcherTest {
    @Test
    void namesMatchBySuffixAndRegexesWhole() {
        ModuleMatcher names = ModuleMatcher.of(List.of("qkv", "mlp.fc1"));
        assertTrue(names.matches("blocks.3.attn.qkv"));
        assertTrue(names.matches("blocks.3.mlp.fc1"));
        assertFalse(names.matches("blocks.3.mlp.fc2"));
        ModuleMatcher regex = ModuleMatcher.regex(".*\\.(qkv|fc1)", "a.json: target_modules");
        assertTrue(regex.matches("blocks.0.attn.qkv"));
        assertFalse(regex.matches("blocks.0.attn.qkv2"));
    }

    @Test
    void aRegexThatBacktracksForeverIsRefusedInsteadOfHanging() {
        // Found by AdapterConfigFuzzTest (Jazzer's regex injection detector): target_modules come
        // from files of any origin, and on a name without an x this pattern tries every way of
        // cutting the name into 20 pieces (minutes for a 33-character name).
        ModuleMatcher evil = ModuleMatcher.regex("(.*?){20}x", "adapter_config.json: target_modules");
        InputException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(InputException.class, () -> evil.matches("blocks.11.attn.qkv.lora_A.default")));
        assertTrue(e.getMessage().startsWith("adapter_config.json: target_modules: the regular expression"), e.getMessage());
        assertTrue(e.getMessage().contains("backtracks too much"), e.getMessage());
    }

    @Test
    void badRegexesNameTheSource() {
        var e = assertThrows(InputException.class, () -> ModuleMatcher.regex(".*(qkv", "a.json: target_modules"));
        assertTrue(e.getMessage().equals("a.json: target_modules: '.*(qkv' is not a valid regular expression"), e.getMessage());
        var deep = assertThrows(InputException.class, () -> ModuleMatcher.regex("(".repeat(100_000) + ")".repeat(100_000), "a.json"));
        assertTrue(deep.getMessage().contains("nested too deeply") || deep.getMessage().contains("not a valid"), deep.getMessage());
    }
}
