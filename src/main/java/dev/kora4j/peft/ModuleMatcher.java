package dev.kora4j.peft;

import dev.kora4j.io.InputException;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * PEFT's target_modules rule: a list entry matches a module whose full name equals it or ends with
 * "." + it; a single string is a regex that must match the whole name.
 */
public final class ModuleMatcher {
    private final List<String> names;
    private final Pattern regex;

    private ModuleMatcher(List<String> names, Pattern regex) {
        this.names = names;
        this.regex = regex;
    }

    public static ModuleMatcher of(List<String> names) {
        return new ModuleMatcher(List.copyOf(names), null);
    }

    public static ModuleMatcher regex(String pattern, String source) {
        try {
            return new ModuleMatcher(null, Pattern.compile(pattern));
        } catch (PatternSyntaxException e) {
            throw new InputException(source + ": '" + pattern + "' is not a valid regular expression");
        }
    }

    public boolean matches(String moduleName) {
        if (regex != null) {
            return regex.matcher(moduleName).matches();
        }
        for (String n : names) {
            if (moduleName.equals(n) || moduleName.endsWith("." + n)) {
                return true;
            }
        }
        return false;
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
