package dev.kora4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kora4j.backend.DeviceMemoryException;
import dev.kora4j.data.Batch;
import dev.kora4j.data.BatchLoader;
import dev.kora4j.data.Dataset;
import dev.kora4j.data.Transform;
import dev.kora4j.metrics.Evaluation;
import dev.kora4j.ops.CrossEntropy;
import dev.kora4j.optim.AdamW;
import dev.kora4j.optim.CosineSchedule;
import dev.kora4j.optim.GradClip;
import dev.kora4j.peft.PeftModel;
import dev.kora4j.report.EpochMetrics;
import dev.kora4j.tensor.BufferPool;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import dev.kora4j.tensor.Uploader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Trains what a {@link PeftModel} marks trainable: AdamW, a cosine schedule after warm-up, optional
 * clipping, evaluation after every epoch. Every random choice derives from the seed and the position
 * (batch order from (seed, epoch), augmentation from (seed, epoch, item), dropout from (seed, step)),
 * so a run resumed from a checkpoint computes exactly what the uninterrupted run would have.
 * Checkpoints come every {@code checkpointEvery} steps and at each epoch's end; Ctrl-C saves one and
 * stops; a NaN or infinite loss stops the run, naming the step, with the last good checkpoint kept.
 */
public final class Trainer {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The outcome: per-epoch metrics, the final evaluation, and whether the run was stopped early. */
    public record Result(List<EpochMetrics> epochs, Evaluation last, boolean stopped, long steps) {}

    /**
     * Told about each step and each checkpoint, on the training thread: a scheduler that runs the
     * trainer (the Spark sweep) stops a cancelled run by throwing from here; the last checkpoint stays.
     */
    public interface Listener {
        Listener NONE = new Listener() {};

        /** After optimizer step {@code step} (counted from 1), whose batch's mean loss was {@code loss}. */
        default void stepped(long step, double loss) {}

        /** After a checkpoint at {@code step} was written whole. */
        default void checkpointed(long step) {}
    }

    private final PeftModel model;
    private final TrainOptions o;
    private final Path runDir;
    private final PrintStream log;
    private final Listener listener;
    private volatile boolean stopRequested;

    public Trainer(PeftModel model, TrainOptions options, Path runDir, PrintStream log) {
        this(model, options, runDir, log, Listener.NONE);
    }

    public Trainer(PeftModel model, TrainOptions options, Path runDir, PrintStream log, Listener listener) {
        this.model = model;
        this.o = options;
        this.runDir = runDir;
        this.log = log;
        this.listener = listener;
    }

    /** Asks the run to save a checkpoint and stop after the current step (Ctrl-C does this). */
    public void requestStop() {
        stopRequested = true;
    }

    public Result fit(Dataset train, Dataset val, Transform trainTransform, Transform evalTransform, boolean resume) {
        Map<String, Tensor> trainable = model.trainable();
        Device device = model.vit().device();
        AdamW optimizer = new AdamW(new ArrayList<>(trainable.values()), o.lr(), 0.9, 0.999, 1e-8, o.weightDecay());
        List<EpochMetrics> history = new ArrayList<>();
        int startEpoch = 0, startBatch = 0;
        long step = 0;
        double lossSum = 0;
        long seen = 0;
        double seconds = 0;
        if (resume) {
            Checkpoint.Loaded loaded = Checkpoint.load(runDir, trainable, optimizer);
            if (loaded != null) {
                for (String problem : loaded.skipped()) {
                    log.println("warning: skipping a damaged checkpoint: " + problem);
                }
                ObjectNode p = loaded.progress();
                startEpoch = p.get("epoch").asInt();
                startBatch = p.get("batch").asInt();
                step = p.get("step").asLong();
                lossSum = p.get("loss_sum").asDouble();
                seen = p.get("seen").asLong();
                seconds = p.get("seconds").asDouble();
                for (var e : p.withArray("history")) {
                    history.add(new EpochMetrics(e.get("epoch").asInt(), e.get("train_loss").asDouble(), e.get("val_loss").asDouble(),
                            e.get("val_accuracy").asDouble(), e.get("val_f1").asDouble(), e.get("seconds").asDouble()));
                }
                log.printf(Locale.ROOT, "resuming from %s: epoch %d, batch %d, step %d%n", loaded.file().getFileName(), startEpoch + 1, startBatch, step);
            }
        }
        CountDownLatch saved = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            requestStop();
            try {
                saved.await(60, TimeUnit.SECONDS); // the loop saves at the next step boundary
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }, "kora-ctrl-c");
        Runtime.getRuntime().addShutdownHook(hook);
        BufferPool pool = new BufferPool();
        try (BatchLoader loader = BatchLoader.builder(train, trainTransform).batchSize(o.batch()).seed(o.seed())
                .shuffle(o.shuffle()).workers(o.workers()).build();
             Uploader uploads = Uploader.to(device)) {
            long totalSteps = (long) loader.batchesPerEpoch() * o.epochs();
            CosineSchedule schedule = new CosineSchedule(o.lr(), o.minLr(), (int) Math.min(o.warmupSteps(), totalSteps), (int) totalSteps);
            for (int epoch = startEpoch; epoch < o.epochs(); epoch++) {
                long started = System.nanoTime();
                model.train(true);
                int nextBatch = epoch == startEpoch ? startBatch : 0; // where a resume would start: the first batch not yet trained
                try (BatchLoader.Epoch batches = loader.epoch(epoch, nextBatch);
                     Progress progress = Progress.open(String.format(Locale.ROOT, "epoch %d/%d", epoch + 1, o.epochs()),
                             loader.itemsPerEpoch(), "img")) {
                    progress.advance((long) nextBatch * o.batch());
                    StepLosses losses = new StepLosses(device);
                    for (Batch b : batches) {
                        schedule.apply(optimizer, (int) step);
                        model.setDropoutRng(new Rng(o.seed() * 0x9E3779B97F4A7C15L + step));
                        optimizer.zeroGrad();
                        List<StepLosses.Step> read = List.of();
                        try (var pooled = pool.step()) {
                            Tensor l = CrossEntropy.crossEntropy(model.forward(uploads.upload(b.images())), b.labels(), o.labelSmoothing());
                            losses.add(l, step + 1, epoch, b.index(), b.labels().length);
                            if (device.onHeap()) { // known now: a non-finite loss stops the run before its step is taken
                                read = requireFinite(losses.take());
                            }
                            l.backward();
                            // inside the step: the device's clipping temporaries go back with the step's memory
                            if (o.clipNorm() > 0) {
                                if (device.onHeap()) {
                                    GradClip.clipByNorm(optimizer.params(), o.clipNorm());
                                } else {
                                    GradClip.clipByNormOnDevice(optimizer.params(), o.clipNorm());
                                }
                            }
                        }
                        optimizer.step();
                        step++;
                        nextBatch = b.index() + 1;
                        boolean last = nextBatch == loader.batchesPerEpoch();
                        boolean checkpoint = !last && (stopRequested || (o.checkpointEvery() > 0 && step % o.checkpointEvery() == 0));
                        if (!device.onHeap()) {
                            if (!(losses.full() || last || checkpoint)) {
                                continue; // a device's losses are read an interval at a time
                            }
                            read = requireFinite(losses.take());
                        }
                        for (StepLosses.Step s : read) {
                            lossSum += s.loss() * s.images();
                            seen += s.images();
                            progress.advance(s.images());
                            progress.message(String.format(Locale.ROOT, "loss %.4f", s.loss()));
                        }
                        if (checkpoint) {
                            double elapsed = seconds + (System.nanoTime() - started) / 1e9;
                            save(trainable, optimizer, epoch, nextBatch, step, lossSum, seen, elapsed, history);
                            if (stopRequested) {
                                // said before the hook is released: once it returns, the JVM may halt mid-sentence
                                log.printf(Locale.ROOT, "stopped at step %d; resume with --resume%n", step);
                                log.flush();
                                saved.countDown();
                                return new Result(history, null, true, step);
                            }
                        }
                        for (StepLosses.Step s : read) {
                            listener.stepped(s.step(), s.loss());
                        }
                    }
                } catch (OutOfMemoryError e) {
                    // Every step needs the same memory, so a heap too small shows at the first step (of a run or
                    // a resume), not in the middle of one: there is nothing newer than the scheduled checkpoints to save.
                    throw outOfMemory("out of memory", step, epoch, nextBatch,
                            "the Java heap's maximum is " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB",
                            "give the JVM more heap (KORA_JAVA_OPTS=-Xmx<size>)");
                } catch (DeviceMemoryException e) {
                    throw outOfMemory("out of device memory", step, epoch, nextBatch,
                            e.device() + " has " + DeviceMemoryException.size(e.capacity()) + ", " + DeviceMemoryException.size(e.inUse())
                                    + " of it in use",
                            "train with a smaller --batch");
                }
                double epochSeconds = seconds + (System.nanoTime() - started) / 1e9;
                Evaluation eval = Evaluator.evaluate(model, val, evalTransform, o.batch(), o.workers(), "evaluate");
                history.add(new EpochMetrics(epoch + 1, lossSum / Math.max(1, seen), eval.loss(), eval.accuracy(), eval.weightedF1(), epochSeconds));
                log.printf(Locale.ROOT, "epoch %d/%d: train loss %.4f, val loss %.4f, accuracy %.4f, weighted F1 %.4f (%.1f s)%n",
                        epoch + 1, o.epochs(), lossSum / Math.max(1, seen), eval.loss(), eval.accuracy(), eval.weightedF1(), epochSeconds);
                lossSum = 0;
                seen = 0;
                seconds = 0;
                save(trainable, optimizer, epoch + 1, 0, step, 0, 0, 0, history);
                if (stopRequested) {
                    saved.countDown();
                    return new Result(history, eval, epoch + 1 < o.epochs(), step);
                }
                if (epoch + 1 == o.epochs()) {
                    return new Result(history, eval, false, step);
                }
            }
            // resumed after the last epoch: evaluate what was trained
            return new Result(history, Evaluator.evaluate(model, val, evalTransform, o.batch(), o.workers(), "evaluate"), false, step);
        } finally {
            saved.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is already exiting (Ctrl-C): the hook is running and waits for the save above
            }
        }
    }

    /**
     * The one line for a step that does not fit in memory: which step, the memory's size, the
     * checkpoint kept, and what to change (and to resume with --resume when there is a checkpoint).
     */
    private TrainingFailure outOfMemory(String what, long step, int epoch, int batch, String memory, String remedy) {
        Path kept = keptCheckpoint();
        return new TrainingFailure(String.format(Locale.ROOT, "%s in step %d (epoch %d, batch %d of %d images): %s; %s; %s%s",
                what, step + 1, epoch + 1, batch, o.batch(), memory, describe(kept), remedy,
                kept != null ? " and resume with --resume" : remedy.contains("--batch") ? "" : " or train with a smaller --batch"));
    }

    /** The steps, unless one's loss is NaN or infinite: then the run stops, naming the first such step. */
    private List<StepLosses.Step> requireFinite(List<StepLosses.Step> steps) {
        for (StepLosses.Step s : steps) {
            if (!Double.isFinite(s.loss())) {
                throw new TrainingFailure(String.format(Locale.ROOT, "the loss is %s at step %d (epoch %d, batch %d); %s",
                        s.loss(), s.step(), s.epoch() + 1, s.batch(), describe(keptCheckpoint())));
            }
        }
        return steps;
    }

    /** The run's latest checkpoint, or null when none has been written. */
    private Path keptCheckpoint() {
        Path kept = runDir.resolve(Checkpoint.FILE);
        return java.nio.file.Files.exists(kept) ? kept : null;
    }

    private static String describe(Path kept) {
        return kept != null ? "the last good checkpoint is kept in " + kept : "no checkpoint had been written yet";
    }

    private void save(Map<String, Tensor> trainable, AdamW optimizer, int epoch, int batch, long step, double lossSum, long seen,
                      double seconds, List<EpochMetrics> history) {
        ObjectNode p = JSON.createObjectNode();
        p.put("epoch", epoch);
        p.put("batch", batch);
        p.put("step", step);
        p.put("loss_sum", lossSum);
        p.put("seen", seen);
        p.put("seconds", seconds);
        ArrayNode h = p.putArray("history");
        for (EpochMetrics e : history) {
            ObjectNode n = h.addObject();
            n.put("epoch", e.epoch());
            n.put("train_loss", e.trainLoss());
            n.put("val_loss", e.valLoss());
            n.put("val_accuracy", e.valAccuracy());
            n.put("val_f1", e.valF1());
            n.put("seconds", e.seconds());
        }
        Checkpoint.save(runDir, trainable, optimizer, p);
        listener.checkpointed(step);
    }
}
