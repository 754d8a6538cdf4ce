package dev.kora4j.peft;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PEFT's rank_pattern and alpha_pattern: a module takes the value of the first key, in the file's
 * order, that matches the end of its name at a "." boundary (PEFT's
 * {@code re.match(rf"(.*\.)?({key})$", name)}: a key is a regex, so "blocks.0.attn.qkv" names one
 * module and "proj" every module whose last segment is proj); otherwise the default.
 */
record PatternMap(List<String> keys, List<SafeRegex> regexes, List<Double> values) {
    static final PatternMap EMPTY = new PatternMap(List.of(), List.of(), List.of());

    static PatternMap of(Map<String, Double> entries, String source) {
        List<String> keys = new ArrayList<>();
        List<SafeRegex> regexes = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        entries.forEach((key, value) -> {
            keys.add(key);
            regexes.add(SafeRegex.compile("(.*\\.)?(" + key + ")", source));
            values.add(value);
        });
        return new PatternMap(List.copyOf(keys), List.copyOf(regexes), List.copyOf(values));
    }

    double valueFor(String name, double fallback) {
        for (int i = 0; i < regexes.size(); i++) {
            if (regexes.get(i).fullMatch(name)) {
                return values.get(i);
            }
        }
        return fallback;
    }

    /** The entries in order, as the file holds them. */
    Map<String, Double> entries() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            out.put(keys.get(i), values.get(i));
        }
        return out;
    }
}
