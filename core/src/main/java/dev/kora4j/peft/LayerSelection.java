package dev.kora4j.peft;

import java.util.List;

/**
 * PEFT's layers_to_transform with layers_pattern: a module keeps its adapter only when the layer
 * index in its name is one of {@code indexes}. The index is the number after the first segment
 * that a pattern names (PEFT's {@code re.match(r"(?:^|.*?\.){pattern}\.(\d+)\.", name)}, patterns
 * tried in order); with no pattern, the number after the second segment at the earliest that has
 * one before it ({@code .*?\.[^.]*\.(\d+)\.}), so "blocks.0.attn.qkv" has none. A name without an
 * index keeps no adapter.
 */
record LayerSelection(List<Integer> indexes, List<String> patterns, List<SafeRegex> indexRegexes) {
    LayerSelection {
        indexes = List.copyOf(indexes);
        patterns = List.copyOf(patterns);
        indexRegexes = List.copyOf(indexRegexes);
    }

    /** layers_to_transform with layers_pattern (each a regex; none for PEFT's default), as PEFT's index regexes. */
    static LayerSelection of(List<Integer> indexes, List<String> patterns, String source) {
        List<SafeRegex> regexes = patterns.isEmpty()
                ? List.of(SafeRegex.compile(".*?\\.[^.]*\\.(\\d+)\\.", source))
                : patterns.stream().map(p -> SafeRegex.compile("(?:^|.*?\\.)" + p + "\\.(\\d+)\\.", source)).toList();
        return new LayerSelection(indexes, patterns, regexes);
    }

    boolean keeps(String name) {
        for (SafeRegex p : indexRegexes) {
            Integer index = p.layerIndex(name);
            if (index != null) {
                return indexes.contains(index);
            }
        }
        return false;
    }
}
