package dev.kora4j.peft;

import java.util.List;

/**
 * PEFT's rule for a list or a regex of module names (target_modules, exclude_modules): a list entry
 * matches a module whose full name equals it or ends with "." + it; a single string is a regex that
 * must match the whole name (re.fullmatch).
 */
public final class ModuleMatcher {
    private final List<String> names;
    private final SafeRegex regex;

    private ModuleMatcher(List<String> names, SafeRegex regex) {
        this.names = names;
        this.regex = regex;
    }

    public static ModuleMatcher of(List<String> names) {
        return new ModuleMatcher(List.copyOf(names), null);
    }

    /** A regex from the config key {@code source}, which errors name. */
    public static ModuleMatcher regex(String pattern, String source) {
        return new ModuleMatcher(null, SafeRegex.compile(pattern, source));
    }

    public boolean matches(String moduleName) {
        return regex != null ? regex.fullMatch(moduleName) : names.contains(moduleName) || matchesSuffix(moduleName);
    }

    /** A list entry is the name itself (not just a "."-suffix of it). */
    boolean namesExactly(String moduleName) {
        return regex == null && names.contains(moduleName);
    }

    /** A list entry is a "."-suffix of the name. */
    boolean matchesSuffix(String moduleName) {
        return regex == null && names.stream().anyMatch(n -> moduleName.endsWith("." + n));
    }

    boolean isRegex() {
        return regex != null;
    }

    public boolean isEmpty() {
        return regex == null && names.isEmpty();
    }

    Object toJsonValue() {
        return regex != null ? regex.pattern() : names;
    }

    @Override
    public String toString() {
        return regex != null ? regex.pattern() : names.toString();
    }
}
