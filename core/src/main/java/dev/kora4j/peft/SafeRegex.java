package dev.kora4j.peft;

import dev.kora4j.io.InputException;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A regular expression from an adapter config, which may come from anywhere: compiled with an error
 * that names its key, and matched against module names with a budget. A pattern such as
 * {@code (.*)*x} backtracks for longer than any run lasts; a match may read the module name at most
 * {@link #MATCH_BUDGET} characters' worth, far beyond what any sane pattern needs on names of a few
 * dozen characters, and a pattern that needs more is refused.
 */
final class SafeRegex {
    /** Characters one regex match may read (reads of the same character count again). */
    static final int MATCH_BUDGET = 1_000_000;

    private final Pattern pattern;
    private final String source;

    private SafeRegex(Pattern pattern, String source) {
        this.pattern = pattern;
        this.source = source;
    }

    /** {@code regex} from the config key {@code source} (e.g. "adapter_config.json: target_modules"). */
    static SafeRegex compile(String regex, String source) {
        try {
            return new SafeRegex(Pattern.compile(regex), source);
        } catch (PatternSyntaxException e) {
            throw new InputException(source + ": '" + regex + "' is not a valid regular expression");
        } catch (StackOverflowError e) {
            throw new InputException(source + ": the regular expression is nested too deeply");
        }
    }

    /** Python's re.fullmatch: the whole name. */
    boolean fullMatch(String name) {
        return run(name, true);
    }

    /** Python's re.match: from the start of the name, not necessarily to its end. */
    boolean matchAtStart(String name) {
        return run(name, false);
    }

    /**
     * The number the last group captures when the pattern matches from the start of the name (a
     * layer index), or null when it does not match.
     */
    Integer layerIndex(String name) {
        return run(name, false, m -> {
            String digits = m.group(m.groupCount());
            return digits.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(digits);
        });
    }

    String pattern() {
        return pattern.pattern();
    }

    private boolean run(String name, boolean whole) {
        return run(name, whole, m -> Boolean.TRUE) != null;
    }

    /** {@code found} of the match, or null without one. */
    private <T> T run(String name, boolean whole, java.util.function.Function<java.util.regex.Matcher, T> found) {
        try {
            var m = pattern.matcher(new Budgeted(name));
            return (whole ? m.matches() : m.lookingAt()) ? found.apply(m) : null;
        } catch (Budgeted.Exhausted | StackOverflowError e) {
            throw new InputException(source + ": the regular expression '" + pattern.pattern() + "' backtracks too much on the"
                    + " module name " + name + " (nested repetition such as (a+)+ does); write a simpler one");
        }
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
}
