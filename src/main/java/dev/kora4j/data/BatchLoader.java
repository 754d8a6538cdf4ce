package dev.kora4j.data;

import dev.kora4j.io.InputException;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serves a dataset (or some of its items) in batches, decoding and transforming on a small pool of
 * background threads, at most {@code prefetch} batches ahead of the consumer.
 *
 * <p>Everything random is a function of the seed, never of thread timing: the order of epoch e is
 * a permutation drawn from (seed, e), and item i's augmentation in epoch e draws from its own
 * generator seeded from (seed, e, i). So two loaders with the same settings give identical
 * batches, with any number of workers, and {@code epoch(e, b)} resumes at batch b with the very
 * batches an uninterrupted run would have produced.
 *
 * <p>A decoding error reaches the consumer as an InputException from {@code next()}, naming the
 * file. {@link #close()} stops the threads.
 */
public final class BatchLoader implements AutoCloseable {
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final Dataset dataset;
    private final int[] indices;
    private final Transform transform;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private final boolean dropLast;
    private final int prefetch;
    private final ExecutorService pool; // null: decode on the consumer's thread
    private volatile boolean shut;

    private BatchLoader(Builder b) {
        this.dataset = b.dataset;
        this.indices = b.indices != null ? b.indices.clone() : identity(b.dataset.size());
        for (int j = 0; j < indices.length; j++) {
            if (indices[j] < 0 || indices[j] >= dataset.size()) {
                throw new IndexOutOfBoundsException("index " + j + " is item " + indices[j] + ", but " + dataset.name() + " has " + dataset.size());
            }
        }
        this.transform = b.transform;
        this.batchSize = b.batchSize;
        this.seed = b.seed;
        this.shuffle = b.shuffle;
        this.dropLast = b.dropLast;
        this.prefetch = b.prefetch;
        if (b.workers > 0) {
            int pool = POOLS.incrementAndGet();
            AtomicInteger thread = new AtomicInteger();
            this.pool = Executors.newFixedThreadPool(b.workers, r -> {
                Thread t = new Thread(r, "kora-data-" + pool + "-" + thread.incrementAndGet());
                t.setDaemon(true); // a forgotten loader must not keep the JVM alive
                return t;
            });
        } else {
            this.pool = null;
        }
    }

    /** Starts the settings for a loader over every item of {@code dataset}. */
    public static Builder builder(Dataset dataset, Transform transform) {
        return new Builder(dataset, transform);
    }

    public static final class Builder {
        private final Dataset dataset;
        private final Transform transform;
        private int[] indices;
        private int batchSize = 32;
        private long seed;
        private boolean shuffle = true;
        private boolean dropLast;
        private int workers = 2;
        private int prefetch = -1;

        private Builder(Dataset dataset, Transform transform) {
            this.dataset = Objects.requireNonNull(dataset, "dataset");
            this.transform = Objects.requireNonNull(transform, "transform (use Transform.identity() for none)");
        }

        /** Only these items (indices into the dataset), in this order before any shuffle. Default: all. */
        public Builder indices(int[] indices) {
            this.indices = indices.clone();
            return this;
        }

        /** Default 32. */
        public Builder batchSize(int batchSize) {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Fixes every epoch's order and every augmentation. Default 0. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** A fresh order every epoch (default), or the items in the given order. */
        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        /** Leave out a last batch smaller than the batch size. Default false, as PyTorch's DataLoader. */
        public Builder dropLast(boolean dropLast) {
            this.dropLast = dropLast;
            return this;
        }

        /** Decoding threads; 0 decodes on the consumer's thread. Default 2. */
        public Builder workers(int workers) {
            if (workers < 0) {
                throw new IllegalArgumentException("workers must be ≥ 0, got " + workers);
            }
            this.workers = workers;
            return this;
        }

        /** How many batches may be decoded ahead of the consumer. Default 2 × workers (at least 1). */
        public Builder prefetch(int prefetch) {
            if (prefetch <= 0) {
                throw new IllegalArgumentException("prefetch must be positive, got " + prefetch);
            }
            this.prefetch = prefetch;
            return this;
        }

        public BatchLoader build() {
            if (prefetch < 0) {
                prefetch = Math.max(1, 2 * workers);
            }
            return new BatchLoader(this);
        }
    }

    public Dataset dataset() {
        return dataset;
    }

    /** How many items one epoch serves. */
    public int itemsPerEpoch() {
        return dropLast ? batchesPerEpoch() * batchSize : indices.length;
    }

    public int batchesPerEpoch() {
        return dropLast ? indices.length / batchSize : (indices.length + batchSize - 1) / batchSize;
    }

    /** The dataset items of epoch {@code epoch}, in the order they are served (before dropping a short last batch). */
    public int[] order(int epoch) {
        if (!shuffle) {
            return indices.clone();
        }
        int[] perm = new Rng(mix(seed, epoch, -1L)).permutation(indices.length);
        int[] out = new int[indices.length];
        for (int j = 0; j < out.length; j++) {
            out[j] = indices[perm[j]];
        }
        return out;
    }

    /** The batches of one epoch, from the first. Close it (or run it to the end) to cancel work decoded ahead. */
    public Epoch epoch(int epoch) {
        return epoch(epoch, 0);
    }

    /** The batches of one epoch from batch {@code fromBatch} on: the same batches a run from the start gives there. */
    public Epoch epoch(int epoch, int fromBatch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be ≥ 0, got " + epoch);
        }
        if (shut) {
            throw new IllegalStateException("the batch loader is closed");
        }
        if (fromBatch < 0 || fromBatch > batchesPerEpoch()) {
            throw new IllegalArgumentException("batch " + fromBatch + " is outside an epoch of " + batchesPerEpoch() + " batches");
        }
        return new Epoch(epoch, fromBatch);
    }

    /** Builds batch b of an epoch whose order is given; runs on a worker, or on the caller when there are none. */
    private Batch build(int epoch, int b, int[] order) {
        int from = b * batchSize;
        int to = Math.min(from + batchSize, order.length);
        int[] items = Arrays.copyOfRange(order, from, to);
        int[] labels = new int[items.length];
        float[] data = null;
        int h = 0;
        int w = 0;
        for (int j = 0; j < items.length; j++) {
            if (Thread.currentThread().isInterrupted()) {
                throw new CancellationException("batch " + b + " of epoch " + epoch + " was cancelled");
            }
            int item = items[j];
            labels[j] = dataset.label(item);
            Image img = transform.apply(dataset.image(item), new Rng(mix(seed, epoch, item)));
            if (data == null) {
                h = img.height();
                w = img.width();
                data = new float[items.length * Image.CHANNELS * h * w];
            } else if (img.height() != h || img.width() != w) {
                throw new InputException(dataset.name() + " item " + item + ": its image is " + img.height() + "x" + img.width()
                        + " after the transform, but item " + items[0] + " in the same batch is " + h + "x" + w
                        + "; the transform must give one size (add a resize or crop)");
            }
            System.arraycopy(img.data(), 0, data, j * img.data().length, img.data().length);
        }
        return new Batch(epoch, b, Tensor.of(data, items.length, Image.CHANNELS, h, w), labels, items);
    }

    /** One epoch's batches, in order; decodes ahead on the pool. Iterable once. */
    public final class Epoch implements Iterator<Batch>, Iterable<Batch>, AutoCloseable {
        private final int epoch;
        private final int[] order;
        private final int end;
        private final ArrayDeque<Future<Batch>> ahead = new ArrayDeque<>();
        private int nextToSubmit;
        private int nextToTake;
        private boolean closed;

        private Epoch(int epoch, int fromBatch) {
            this.epoch = epoch;
            this.order = order(epoch);
            this.end = batchesPerEpoch();
            this.nextToSubmit = fromBatch;
            this.nextToTake = fromBatch;
            fill();
        }

        /** The index of the batch the next call to next() returns. */
        public int position() {
            return nextToTake;
        }

        @Override
        public boolean hasNext() {
            return !closed && nextToTake < end;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException(closed ? "this epoch's batches were closed" : "epoch " + epoch + " has no more batches");
            }
            if (shut) {
                throw new IllegalStateException("the batch loader is closed");
            }
            int b = nextToTake++;
            if (pool == null) {
                return build(epoch, b, order);
            }
            Future<Batch> f = ahead.poll();
            try {
                Batch batch = f.get();
                fill(); // keep the pool busy while the caller uses this batch
                if (nextToTake == end) {
                    closed = true;
                }
                return batch;
            } catch (CancellationException e) {
                close();
                throw new IllegalStateException("batch " + b + " of epoch " + epoch + " was cancelled: the batch loader is closed", e);
            } catch (ExecutionException e) {
                close();
                Throwable cause = e.getCause();
                if (cause instanceof InputException ie) {
                    throw new InputException(ie.getMessage(), ie);
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException("batch " + b + " of epoch " + epoch + " of " + dataset.name() + " failed: " + cause, cause);
            } catch (InterruptedException e) {
                close();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for batch " + b + " of epoch " + epoch, e);
            }
        }

        private void fill() {
            if (pool == null) {
                return;
            }
            while (ahead.size() < prefetch && nextToSubmit < end) {
                int b = nextToSubmit++;
                try {
                    ahead.add(pool.submit(() -> build(epoch, b, order)));
                } catch (RejectedExecutionException e) {
                    throw new IllegalStateException("the batch loader is closed", e);
                }
            }
        }

        @Override
        public Iterator<Batch> iterator() {
            return this;
        }

        /** Cancels the batches decoded ahead. */
        @Override
        public void close() {
            closed = true;
            for (Future<Batch> f : ahead) {
                f.cancel(true);
            }
            ahead.clear();
        }
    }

    /** Stops the decoding threads; waits briefly for them to finish the image in hand. */
    @Override
    public void close() {
        shut = true;
        if (pool == null) {
            return;
        }
        for (Runnable never : pool.shutdownNow()) {
            // Batches queued but never started: cancel them, so a consumer waiting on one is released.
            if (never instanceof Future<?> f) {
                f.cancel(false);
            }
        }
        try {
            pool.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A seed for a sub-stream from (seed, a, b), mixed so that neighbouring inputs give unrelated streams. */
    static long mix(long seed, long a, long b) {
        long h = splitmix(seed);
        h = splitmix(h ^ a);
        return splitmix(h ^ b);
    }

    private static long splitmix(long x) {
        long z = x + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static int[] identity(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }
}
