package dev.kora4j.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reuses the large F32 arrays of a repeated computation, such as a training step, instead of
 * leaving them to the garbage collector: arrays handed out while a step is open go back to the pool
 * when it closes, and the next step takes them again. Tensors made inside a step must not be used
 * after it closes (read what you need, e.g. loss.item(), before). Outside a step nothing is pooled.
 *
 * <pre>
 *   BufferPool pool = new BufferPool();
 *   for (...) {
 *       try (var step = pool.step()) { forward, backward, optimizer }
 *   }
 * </pre>
 */
public final class BufferPool {
    /** Arrays below this many floats (16 KB) are cheap to allocate and stay with the garbage collector. */
    static final int MIN_POOLED = 1 << 12;
    private static final ThreadLocal<BufferPool> ACTIVE = new ThreadLocal<>();

    private final Map<Integer, ArrayDeque<float[]>> free = new HashMap<>();
    /** Arrays lent in the open step, in lending order (null where one came back early). */
    private final List<float[]> lent = new ArrayList<>();
    private final Map<float[], Integer> lentAt = new IdentityHashMap<>();
    /** What gives back the device memory of tensors made in the open step, in order. */
    private final List<Runnable> releases = new ArrayList<>();
    private long misses;

    /** Starts a step on this thread: F32 tensors allocated until it closes come from the pool. */
    public Step step() {
        if (ACTIVE.get() != null) {
            throw new IllegalStateException("a buffer-pool step is already open on this thread");
        }
        ACTIVE.set(this);
        return this::endStep;
    }

    private void endStep() {
        ACTIVE.remove();
        for (Runnable release : releases) {
            release.run();
        }
        releases.clear();
        for (float[] a : lent) {
            if (a != null) {
                giveBack(a);
            }
        }
        lent.clear();
        lentAt.clear();
    }

    private void giveBack(float[] a) {
        free.computeIfAbsent(a.length, k -> new ArrayDeque<>()).push(a);
    }

    /**
     * Hands t's array back to the open step's pool before the step ends, for the next tensor of its
     * size: for a tensor that nothing reads again and that shares its array with no live tensor,
     * such as a gradient backward has consumed. Does nothing outside a step or for arrays this step
     * did not lend.
     */
    public static void recycle(Tensor t) {
        BufferPool pool = ACTIVE.get();
        if (pool == null || !(t.storage() instanceof FloatStorage(float[] a))) {
            return;
        }
        Integer at = pool.lentAt.remove(a);
        if (at != null) {
            pool.lent.set(at, null);
            pool.giveBack(a);
        }
    }

    /**
     * Has {@code release} run when the open step ends: how device storage made in a step (which,
     * like the step's arrays, must not be used after it) goes back to its allocator then rather
     * than when the garbage collector finds it. Returns false, doing nothing, outside a step.
     */
    public static boolean releaseAtStepEnd(Runnable release) {
        BufferPool pool = ACTIVE.get();
        if (pool == null) {
            return false;
        }
        pool.releases.add(release);
        return true;
    }

    /** Runs {@code body} with pooling suspended (for results that outlive the step, such as gradients of parameters). */
    public static <T> T outside(java.util.function.Supplier<T> body) {
        BufferPool active = ACTIVE.get();
        if (active == null) {
            return body.get();
        }
        ACTIVE.remove();
        try {
            return body.get();
        } finally {
            ACTIVE.set(active);
        }
    }

    /** An array of n floats: from the active step's pool (contents undefined) or, outside one, new (zeros). */
    static float[] floats(int n) {
        BufferPool pool = ACTIVE.get();
        if (pool == null || n < MIN_POOLED) {
            return new float[n];
        }
        ArrayDeque<float[]> list = pool.free.get(n);
        float[] a;
        if (list == null || list.isEmpty()) {
            a = new float[n];
            pool.misses++;
        } else {
            a = list.pop();
        }
        pool.lentAt.put(a, pool.lent.size());
        pool.lent.add(a);
        return a;
    }

    /**
     * Arrays this pool has had to make because none of the size was free: after the first step of
     * a repeated computation this stops growing (a test and the step benchmark watch it).
     */
    public long misses() {
        return misses;
    }

    /** Like {@link #floats}, but always zero-filled. */
    static float[] zeroedFloats(int n) {
        if (ACTIVE.get() == null || n < MIN_POOLED) {
            return new float[n];
        }
        float[] a = floats(n);
        java.util.Arrays.fill(a, 0f);
        return a;
    }

    /** Floats held by the pool, lent or free (for reports). */
    public long pooledFloats() {
        long n = lent.stream().mapToLong(a -> a.length).sum();
        for (ArrayDeque<float[]> list : free.values()) {
            n += list.stream().mapToLong(a -> a.length).sum();
        }
        return n;
    }

    /** An open step; closing it returns its arrays to the pool. */
    public interface Step extends AutoCloseable {
        @Override
        void close();
    }
}
