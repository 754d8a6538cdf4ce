package dev.kora4j.backend.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The threads behind {@link Parallel}: a training step runs about a thousand parallel loops, many of
 * them tens of microseconds long, so what matters is how soon the helpers start. The calling thread
 * starts on the tasks at once and the helpers join in; between loops the helpers keep watching for
 * the next one for {@link #SPIN_NANOS} before they park. (A ForkJoinPool parks its workers at once and
 * the caller waits for them: 45 to 93 µs per loop on this project's 2-core machine, measured with
 * four 2 µs tasks.) Tasks are handed out one index at a time; which thread runs a task never changes
 * what it computes.
 */
final class WorkerPool {
    /** How long an idle helper keeps watching before it parks: longer than the gaps inside a step. */
    private static final long SPIN_NANOS = 2_000_000;

    /** One parallel loop: tasks 0..count-1 of body. */
    private static final class Loop {
        final IntConsumer body;
        final int count;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger unfinished;
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Loop(IntConsumer body, int count) {
            this.body = body;
            this.count = count;
            this.unfinished = new AtomicInteger(count);
        }

        /** Takes tasks until none is left (after a failure, the rest are counted off without running). */
        void work() {
            for (int i; (i = next.getAndIncrement()) < count; ) {
                if (failure.get() == null) {
                    try {
                        body.accept(i);
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                }
                unfinished.decrementAndGet();
            }
        }
    }

    private final Helper[] helpers;
    /** Taken by the thread running a loop; a second caller, or a loop inside a task, runs serially. */
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Loop loop;
    /** Counts the loops posted: a helper runs a loop once, when it sees the count change. */
    private volatile long posted;
    private volatile boolean closed;
    private volatile Thread caller;

    WorkerPool(int helperCount) {
        helpers = new Helper[helperCount];
        for (int h = 0; h < helperCount; h++) {
            helpers[h] = new Helper(h + 1);
            helpers[h].start();
        }
    }

    /** Whether the calling thread is running one of this pool's tasks. */
    boolean inTask() {
        Thread t = Thread.currentThread();
        return t == caller || (t instanceof Helper helper && helper.pool() == this);
    }

    /** Runs body(0..count-1) on the caller and the helpers; false when the pool is taken (run it serially then). */
    boolean tryRun(int count, IntConsumer body) {
        if (!busy.compareAndSet(false, true)) {
            return false;
        }
        Loop l = new Loop(body, count);
        try {
            caller = Thread.currentThread();
            loop = l;
            posted++;
            for (Helper h : helpers) {
                if (h.parked) {
                    LockSupport.unpark(h);
                }
            }
            l.work();
            while (l.unfinished.get() > 0) {
                Thread.onSpinWait();
            }
        } finally {
            loop = null;
            caller = null;
            busy.set(false);
        }
        Throwable t = l.failure.get();
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return true;
    }

    /** Lets the helpers end (they finish the loop they are in). */
    void close() {
        closed = true;
        for (Helper h : helpers) {
            LockSupport.unpark(h);
        }
    }

    private final class Helper extends Thread {
        volatile boolean parked;

        Helper(int index) {
            super("kora-cpu-" + index);
            setDaemon(true);
        }

        WorkerPool pool() {
            return WorkerPool.this;
        }

        @Override
        public void run() {
            long seen = posted;
            while (!closed) {
                long since = System.nanoTime();
                int spins = 0;
                while (posted == seen && !closed) {
                    Thread.onSpinWait();
                    if ((++spins & 255) == 0 && System.nanoTime() - since > SPIN_NANOS) {
                        parked = true;
                        if (posted == seen && !closed) {
                            LockSupport.park(this);
                        }
                        parked = false;
                        since = System.nanoTime();
                    }
                }
                seen = posted;
                Loop l = loop;
                if (l != null) {
                    l.work();
                }
            }
        }
    }
}
