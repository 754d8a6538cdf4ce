package dev.kora4j.autograd;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Time per op, forward and backward, for `-Dkora.profile=true` runs (off otherwise, at no cost but a
 * branch). Forward time is what elapsed since the previous op was recorded, so it is meaningful for
 * single-threaded callers such as a training step; backward time is each node's own. Views are
 * counted but take no time: a fused op that makes views of its operands after computing would
 * otherwise see its time charged to them. Ops that a node's backward runs belong to that node's
 * backward time and are not charged again as forward time.
 */
public final class Profile {
    public static final boolean ENABLED = Boolean.getBoolean("kora.profile");
    private static final Map<String, long[]> TOTALS = new TreeMap<>(); // op → {forward ns, backward ns, forward calls}
    private static long last = System.nanoTime();
    private static boolean inBackward;

    private Profile() {}

    static synchronized void forward(String op) {
        if (inBackward) {
            return;
        }
        long now = System.nanoTime();
        long[] t = TOTALS.computeIfAbsent(op, k -> new long[3]);
        t[0] += now - last;
        t[2]++;
        last = now;
    }

    static synchronized void view(String op) {
        if (inBackward) {
            return;
        }
        TOTALS.computeIfAbsent(op, k -> new long[3])[2]++;
    }

    /** A node's backward begins (until {@link #backward}): returns the start time. */
    static synchronized long backwardStarts() {
        inBackward = true;
        return System.nanoTime();
    }

    static synchronized void backward(String op, long nanos) {
        inBackward = false;
        TOTALS.computeIfAbsent(op, k -> new long[3])[1] += nanos;
        last = System.nanoTime();
    }

    /** Marks the start of a measured region (time before it is not charged to the next op). */
    public static synchronized void mark() {
        last = System.nanoTime();
    }

    public static synchronized void reset() {
        TOTALS.clear();
        inBackward = false;
        last = System.nanoTime();
    }

    /** A table of ms per op (divided by {@code steps}), the largest first. */
    public static synchronized String table(int steps) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-24s %10s %10s %8s%n", "op", "fwd ms", "bwd ms", "calls"));
        TOTALS.entrySet().stream()
                .sorted((a, b) -> Long.compare(b.getValue()[0] + b.getValue()[1], a.getValue()[0] + a.getValue()[1]))
                .forEach(e -> sb.append(String.format(Locale.ROOT, "%-24s %10.2f %10.2f %8d%n", e.getKey(),
                        e.getValue()[0] / 1e6 / steps, e.getValue()[1] / 1e6 / steps, e.getValue()[2] / steps)));
        return sb.toString();
    }
}
