package dev.kora4j.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * The cpu backend's worker pool. Kernels cut their work into tasks whose boundaries do not depend
 * on the thread count, so any number of threads computes the same bits.
 * Thread count: {@link #setThreads}, else the system property {@code kora.threads}, else all cores.
 */
public final class Parallel {
    private static int threads = initialThreads();
    private static ForkJoinPool pool = newPool(threads);

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

    private static ForkJoinPool newPool(int n) {
        return n == 1 ? null : new ForkJoinPool(n);
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
            pool.shutdown();
        }
        threads = n;
        pool = newPool(n);
    }

    /** Whether the calling thread is one of the pool's workers (where forEach runs serially). */
    static boolean inWorker() {
        ForkJoinPool p;
        synchronized (Parallel.class) {
            p = pool;
        }
        return p != null && ForkJoinTask.getPool() == p;
    }

    /** Runs body(0..tasks-1), in parallel when there are workers and more than one task. */
    public static void forEach(int tasks, IntConsumer body) {
        ForkJoinPool p;
        synchronized (Parallel.class) {
            p = pool;
        }
        if (tasks <= 1 || p == null || ForkJoinTask.getPool() == p) {
            for (int i = 0; i < tasks; i++) {
                body.accept(i);
            }
            return;
        }
        p.submit(() -> IntStream.range(0, tasks).parallel().forEach(body)).join();
    }
}
