package dev.kora4j.peft;

import dev.kora4j.io.InputException;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * PEFT's target_modules rule: a list entry matches a module whose full name equals it or ends with
 * "." + it; a single string is a regex that must match the whole name.
 *
 * <p>The regex comes from a config file that may come from anywhere, and a pattern such as
 * {@code (.*)*x} backtracks for longer than any run lasts; a match may read the module name at most
 * {@link #MATCH_BUDGET} characters' worth, far beyond what any sane pattern needs on names of a few
 * dozen characters, and a pattern that needs more is refused.
 */
public final class ModuleMatcher {
    /** Characters one regex match may read (reads of the same character count again). */
    static final int MATCH_BUDGET = 1_000_000;

    private final List<String> names;
    private final Pattern regex;
    private final String source;

    private ModuleMatcher(List<String> names, Pattern regex, String source) {
        this.names = names;
        this.regex = regex;
        this.source = source;
    }

    public static ModuleMatcher of(List<String> names) {
        return new ModuleMatcher(List.copyOf(names), null, null);
    }

    public static ModuleMatcher regex(String pattern, String source) {
        try {
            return new ModuleMatcher(null, Pattern.compile(pattern), source);
        } catch (PatternSyntaxException e) {
            throw new InputException(source + ": '" + pattern + "' is not a valid regular expression");
        } catch (StackOverflowError e) {
            throw new InputException(source + ": the regular expression is nested too deeply");
        }
    }

    public boolean matches(String moduleName) {
        if (regex != null) {
            try {
                return regex.matcher(new Budgeted(moduleName)).matches();
            } catch (Budgeted.Exhausted | StackOverflowError e) {
                throw new InputException(source + ": the regular expression '" + regex.pattern() + "' backtracks too much on the"
                        + " module name " + moduleName + " (nested repetition such as (a+)+ does); write a simpler one");
            }
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

    /** A name whose characters may be read {@link #MATCH_BUDGET} times in all. */
    private static final class Budgeted implements CharSequence {
        static final class Exhausted extends RuntimeException {
            private static final long serialVersionUID = 1L;

            Exhausted() {
                super(null, null, false, false);
            }
        }

        private final String text;
        private int reads;

        Budgeted(String text) {
            this.text = text;
        }

        @Override
        public char charAt(int index) {
            if (++reads > MATCH_BUDGET) {
                throw new Exhausted();
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return text.subSequence(start, end);
        }

        @Override
        public String toString() {
            return text;
        }
    }

    Object toJsonValue() {
        return regex != null ? regex.pattern() : names;
    }

    @Override
    public String toString() {
        return regex != null ? regex.pattern() : names.toString();
    }
}
