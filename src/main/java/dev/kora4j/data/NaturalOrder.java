package dev.kora4j.data;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The order of timm's {@code natural_key}: the lower-cased string is split into runs of digits and
 * runs of other characters; text runs compare by code point, digit runs by their numeric value, and
 * a key that is a prefix of another comes first ("img2" before "img10"). Strings whose keys are
 * equal ("a01" and "a1") are left in file-system order by Python's stable sort; we order them by
 * code point so that the result does not depend on the file system.
 */
final class NaturalOrder implements Comparator<String> {
    static final NaturalOrder INSTANCE = new NaturalOrder();

    private NaturalOrder() {}

    @Override
    public int compare(String a, String b) {
        List<String> ka = key(a);
        List<String> kb = key(b);
        int n = Math.min(ka.size(), kb.size());
        for (int i = 0; i < n; i++) {
            // Even positions hold text runs, odd positions digit runs: re.split with a capturing group alternates them.
            int c = (i % 2 == 0) ? compareCodePoints(ka.get(i), kb.get(i)) : compareNumbers(ka.get(i), kb.get(i));
            if (c != 0) {
                return c;
            }
        }
        int c = Integer.compare(ka.size(), kb.size());
        return c != 0 ? c : compareCodePoints(a, b);
    }

    /** re.split(r'(\d+)', s.lower()): text, digits, text, ..., text (text runs may be empty). */
    static List<String> key(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        List<String> parts = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        boolean inDigits = false;
        for (int i = 0; i < lower.length(); ) {
            int cp = lower.codePointAt(i);
            boolean digit = Character.isDigit(cp);
            if (digit != inDigits) {
                parts.add(run.toString());
                run.setLength(0);
                inDigits = digit;
            }
            run.appendCodePoint(cp);
            i += Character.charCount(cp);
        }
        parts.add(run.toString());
        if (inDigits) {
            parts.add(""); // a trailing digit run is followed by an empty text run, as re.split gives
        }
        return parts;
    }

    /** Plain code point order (Python's str order), for callers that sort names without the natural key. */
    static int compareCodePointsOf(String a, String b) {
        return compareCodePoints(a, b);
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    /** Compares two runs of decimal digits by value, of any length (Python's int has no overflow). */
    private static int compareNumbers(String a, String b) {
        int[] da = a.codePoints().map(cp -> Character.digit(cp, 10)).dropWhile(d -> d == 0).toArray();
        int[] db = b.codePoints().map(cp -> Character.digit(cp, 10)).dropWhile(d -> d == 0).toArray();
        if (da.length != db.length) {
            return Integer.compare(da.length, db.length);
        }
        for (int i = 0; i < da.length; i++) {
            if (da[i] != db[i]) {
                return Integer.compare(da[i], db[i]);
            }
        }
        return 0;
    }
}
