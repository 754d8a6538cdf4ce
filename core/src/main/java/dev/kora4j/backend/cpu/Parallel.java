package dev.kora4j.backend.cpu;

import java.util.function.IntConsumer;

/**
 * The cpu backend's worker pool. Kernels cut their work into tasks whose boundaries do not depend
 * on the thread count, so any number of threads computes the same bits.
 * Thread count: {@link #setThreads}, else the system property {@code kora.threads}, else all cores.
 * The calling thread is one of them: it works on its loop's tasks beside threads − 1 helpers ({@link WorkerPool}).
 */
public final class Parallel {
    private static int threads = initialThreads();
    private static WorkerPool pool = newPool(threads);

    private Parallel() {}

    private static int initialThreads() {
        String configured = System.getProperty("kora.threads");
        if (configured != null && !configured.isBlank()) {
            try {
                int n = Integer.parseInt(configured.trim());
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException("system property kora.threads must be a positive integer, got '" + configured + "'");
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static WorkerPool newPool(int n) {
        return n == 1 ? null : new WorkerPool(n - 1);
    }

    public static synchronized int threads() {
        return threads;
    }

    /** Sets the number of worker threads (1 runs everything on the calling thread). */
    public static synchronized void setThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, got " + n);
        }
        if (n == threads) {
            return;
        }
        if (pool != null) {
            pool.close();
        }
        threads = n;
        pool = newPool(n);
    }

    /** Whether the calling thread is running one of the pool's tasks (where forEach runs serially). */
    static boolean inWorker() {
        WorkerPool p;
        synchronized (Parallel.class) {
            p = pool;
        }
        return p != null && p.inTask();
    }

    /**
     * Runs body(0..tasks-1), in parallel when there are helpers and more than one task; serially
     * inside a task, or while another thread's loop holds the pool.
     */
    public static void forEach(int tasks, IntConsumer body) {
        WorkerPool p;
        synchronized (Parallel.class) {
            p = pool;
        }
        if (tasks <= 1 || p == null || !p.tryRun(tasks, body)) {
            for (int i = 0; i < tasks; i++) {
                body.accept(i);
            }
        }
    }
}
