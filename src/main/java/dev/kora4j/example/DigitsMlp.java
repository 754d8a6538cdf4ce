package dev.kora4j.example;

import dev.kora4j.autograd.GradMode;
import dev.kora4j.nn.Linear;
import dev.kora4j.nn.Module;
import dev.kora4j.ops.CrossEntropy;
import dev.kora4j.optim.AdamW;
import dev.kora4j.optim.CosineSchedule;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A two-layer MLP (64 → hidden → GELU → 10) trained with AdamW and a cosine schedule on the
 * digits data: the engine's smallest end-to-end exercise.
 */
public final class DigitsMlp extends Module {
    private final Linear fc1;
    private final Linear fc2;

    public DigitsMlp(int hidden, Rng rng) {
        fc1 = child("fc1", new Linear(Digits.PIXELS, hidden, true, rng));
        fc2 = child("fc2", new Linear(hidden, Digits.CLASSES, true, rng));
    }

    public Tensor forward(Tensor x) {
        return fc2.forward(fc1.forward(x).gelu());
    }

    /** Training settings; {@link #defaults()} reaches about 97 % test accuracy in a second or two. */
    public record Config(int hidden, int epochs, int batch, double lr, double weightDecay, double testFraction, long seed) {
        public static Config defaults() {
            return new Config(128, 30, 32, 3e-3, 1e-4, 0.2, 0);
        }
    }

    /** Splits, trains, evaluates; logs each epoch to {@code log}; returns the test accuracy. */
    public static double trainAndTest(Digits data, Config config, PrintStream log) {
        Rng rng = new Rng(config.seed());
        int[] order = rng.permutation(data.size());
        int testCount = (int) Math.round(data.size() * config.testFraction());
        int[] test = Arrays.copyOfRange(order, 0, testCount);
        int[] train = Arrays.copyOfRange(order, testCount, order.length);

        DigitsMlp model = new DigitsMlp(config.hidden(), rng.fork());
        AdamW optimizer = new AdamW(List.copyOf(model.trainableParameters().values()), config.lr(), 0.9, 0.999, 1e-8, config.weightDecay());
        int stepsPerEpoch = (train.length + config.batch() - 1) / config.batch();
        CosineSchedule schedule = new CosineSchedule(config.lr(), 0, stepsPerEpoch, stepsPerEpoch * config.epochs());
        int step = 0;
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            int[] shuffled = permute(train, rng);
            double lossSum = 0;
            for (int from = 0; from < shuffled.length; from += config.batch()) {
                int[] batch = Arrays.copyOfRange(shuffled, from, Math.min(shuffled.length, from + config.batch()));
                schedule.apply(optimizer, step++);
                optimizer.zeroGrad();
                Tensor loss = CrossEntropy.crossEntropy(model.forward(images(data, batch)), labels(data, batch));
                loss.backward();
                optimizer.step();
                lossSum += loss.item() * batch.length;
            }
            log.printf(Locale.ROOT, "epoch %d/%d  train loss %.4f  test accuracy %.4f%n",
                    epoch + 1, config.epochs(), lossSum / train.length, accuracy(model, data, test));
        }
        return accuracy(model, data, test);
    }

    static double accuracy(DigitsMlp model, Digits data, int[] indices) {
        try (var scope = GradMode.noGrad()) {
            Tensor logits = model.forward(images(data, indices));
            int[] predicted = new int[indices.length];
            for (int i = 0; i < indices.length; i++) {
                predicted[i] = argmax(logits.select(0, i));
            }
            int correct = 0;
            for (int i = 0; i < indices.length; i++) {
                correct += predicted[i] == data.labels()[indices[i]] ? 1 : 0;
            }
            return (double) correct / indices.length;
        }
    }

    private static int argmax(Tensor row) {
        double[] v = row.toDoubleArray();
        int best = 0;
        for (int j = 1; j < v.length; j++) {
            best = v[j] > v[best] ? j : best;
        }
        return best;
    }

    /** Pixel counts 0..16 scaled to [0, 1]. */
    private static Tensor images(Digits data, int[] indices) {
        float[] x = new float[indices.length * Digits.PIXELS];
        for (int i = 0; i < indices.length; i++) {
            float[] image = data.images()[indices[i]];
            for (int p = 0; p < Digits.PIXELS; p++) {
                x[i * Digits.PIXELS + p] = image[p] / 16f;
            }
        }
        return Tensor.of(x, indices.length, Digits.PIXELS);
    }

    private static int[] labels(Digits data, int[] indices) {
        return Arrays.stream(indices).map(i -> data.labels()[i]).toArray();
    }

    private static int[] permute(int[] items, Rng rng) {
        int[] p = rng.permutation(items.length);
        return Arrays.stream(p).map(i -> items[i]).toArray();
    }
}
