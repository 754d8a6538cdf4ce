package dev.kora4j.stats;

import dev.kora4j.tensor.Rng;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * A seeded percentile bootstrap over test items: how much would a score move if the test set were
 * drawn again? Each replicate draws {@code items} indices uniformly with replacement and evaluates the
 * statistic on them; the interval runs from the 50·(1 − confidence)-th to the 50·(1 + confidence)-th
 * percentile of the replicate statistics, by numpy's default rule ({@link Percentile}):
 * {@code np.percentile(stats, [50*(1-confidence), 50*(1+confidence)])}.
 *
 * <p>Replicate r draws its indices from {@code new Rng(Rng.splitmix(seed) + r)}, with
 * {@code rng.nextInt(items)} per index, so each replicate depends on (seed, r) alone: the interval has
 * the same bits for every thread count, and the draws can be replayed outside Java.
 */
public final class Bootstrap {
    private Bootstrap() {}

    /**
     * The bootstrap interval of a statistic of test items, on the calling thread. The statistic gets
     * the resampled indices (an array reused between replicates: read it, do not keep it).
     */
    public static Interval interval(int items, ToDoubleFunction<int[]> statistic, int replicates, long seed, double confidence) {
        return interval(items, statistic, replicates, seed, confidence, 1);
    }

    /**
     * As {@link #interval(int, ToDoubleFunction, int, long, double)}, with replicates spread over
     * {@code threads} threads; the statistic must then be safe to call from several threads at once.
     */
    public static Interval interval(int items, ToDoubleFunction<int[]> statistic, int replicates, long seed, double confidence,
            int threads) {
        checkConfidence(confidence);
        return percentileInterval(statistics(items, () -> statistic, replicates, seed, threads), confidence);
    }

    /**
     * The bootstrap interval of scikit-learn's weighted F1 ({@link dev.kora4j.metrics.ConfusionMatrix#weightedF1()})
     * over test items, on all available processors.
     */
    public static Interval weightedF1(int[] labels, int[] predicted, int numClasses, int replicates, long seed, double confidence) {
        return weightedF1(labels, predicted, numClasses, replicates, seed, confidence, Runtime.getRuntime().availableProcessors());
    }

    /** As {@link #weightedF1(int[], int[], int, int, long, double)}, on {@code threads} threads. */
    public static Interval weightedF1(int[] labels, int[] predicted, int numClasses, int replicates, long seed, double confidence,
            int threads) {
        checkConfidence(confidence);
        WeightedF1.check(labels, predicted, numClasses);
        return percentileInterval(
                statistics(labels.length, () -> new WeightedF1(labels, predicted, numClasses), replicates, seed, threads), confidence);
    }

    /**
     * The statistic of every replicate, in replicate order. Each worker thread gets its own statistic
     * from {@code perWorker} (so it may keep scratch arrays) and its own index array.
     */
    static double[] statistics(int items, Supplier<ToDoubleFunction<int[]>> perWorker, int replicates, long seed, int threads) {
        if (items < 1) {
            throw new IllegalArgumentException("items must be ≥ 1, got " + items);
        }
        if (replicates < 1) {
            throw new IllegalArgumentException("replicates must be ≥ 1, got " + replicates);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be ≥ 1, got " + threads);
        }
        double[] results = new double[replicates];
        AtomicInteger nextReplicate = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long base = Rng.splitmix(seed);
        Runnable worker = () -> {
            try {
                ToDoubleFunction<int[]> statistic = perWorker.get();
                int[] indices = new int[items];
                for (int r; failure.get() == null && (r = nextReplicate.getAndIncrement()) < replicates; ) {
                    Rng rng = new Rng(base + r);
                    for (int i = 0; i < items; i++) {
                        indices[i] = rng.nextInt(items);
                    }
                    results[r] = statistic.applyAsDouble(indices);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
        runOnThreads(worker, Math.min(threads, replicates));
        Throwable t = failure.get();
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException("bootstrap statistic failed", t);
        }
        for (int r = 0; r < replicates; r++) {
            if (Double.isNaN(results[r])) {
                throw new IllegalArgumentException("statistic returned NaN for replicate " + r);
            }
        }
        return results;
    }

    /** Runs {@code worker} on the calling thread and {@code threads − 1} others, and waits for all. */
    private static void runOnThreads(Runnable worker, int threads) {
        Thread[] helpers = new Thread[threads - 1];
        for (int i = 0; i < helpers.length; i++) {
            helpers[i] = Thread.ofPlatform().name("kora-bootstrap-" + i).daemon().start(worker);
        }
        worker.run();
        for (Thread helper : helpers) {
            boolean interrupted = false;
            while (true) {
                try {
                    helper.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the helpers finish their replicates soon; wait for them, then re-flag
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Interval percentileInterval(double[] statistics, double confidence) {
        double[] sorted = statistics.clone();
        Arrays.sort(sorted);
        return new Interval(Percentile.ofSorted(sorted, 50 * (1 - confidence)), Percentile.ofSorted(sorted, 50 * (1 + confidence)));
    }

    private static void checkConfidence(double confidence) {
        if (!(confidence > 0 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be in (0, 1), got " + confidence);
        }
    }
}
