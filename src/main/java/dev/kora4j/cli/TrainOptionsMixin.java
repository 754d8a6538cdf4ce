package dev.kora4j.cli;

import dev.kora4j.train.TrainOptions;
import dev.kora4j.tensor.Device;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The training options `train` and `transfer` share. */
final class TrainOptionsMixin {
    @Option(names = "--epochs", description = "Epochs (default: 5 for train, 10 for transfer, 1 for transfer --protocol seed).") Integer epochs;
    @Option(names = "--batch", defaultValue = "32", description = "Images per step (default ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--lr", description = "Peak learning rate of AdamW (default: 1e-4 for train, 1e-3 for transfer).") Double lr;
    @Option(names = "--weight-decay", defaultValue = "0.01", description = "AdamW's decoupled weight decay (default ${DEFAULT-VALUE}, PyTorch's).") double weightDecay;
    @Option(names = "--warmup-steps", defaultValue = "0", description = "Linear warm-up steps before the cosine decay (default 0).") int warmup;
    @Option(names = "--min-lr", defaultValue = "0", description = "Learning rate at the end of the cosine (default 0).") double minLr;
    @Option(names = "--clip", defaultValue = "0", description = "Clip the gradient norm to this (default 0: no clipping).") double clip;
    @Option(names = "--label-smoothing", defaultValue = "0", description = "Label smoothing of the cross-entropy (default 0).") double smoothing;
    @Option(names = "--seed", defaultValue = "0", description = "Seed of every random choice (default ${DEFAULT-VALUE}).") long seed;
    @Option(names = "--checkpoint-every", defaultValue = "0", description = "Steps between checkpoints (default 0: at epoch ends only).") int checkpointEvery;
    @Option(names = "--workers", defaultValue = "2", description = "Image decoding threads (default ${DEFAULT-VALUE}).") int workers;
    @Option(names = "--threads", description = "Compute threads (default: all cores).") Integer threads;
    @Mixin DeviceMixin device;

    Device device() {
        return device.device();
    }

    TrainOptions toOptions(int defaultEpochs, double defaultLr, boolean shuffle) {
        Main.applyThreads(threads);
        int e = epochs != null ? epochs : defaultEpochs;
        double rate = lr != null ? lr : defaultLr;
        if (e < 1 || batch < 1 || !(rate > 0) || weightDecay < 0 || warmup < 0 || minLr < 0 || clip < 0 || smoothing < 0 || smoothing >= 1
                || checkpointEvery < 0 || workers < 0) {
            throw new UserError("training options out of range: --epochs, --batch and --lr must be positive, --label-smoothing in [0, 1), "
                    + "the others not negative");
        }
        return new TrainOptions(e, batch, rate, weightDecay, warmup, minLr, clip, smoothing, seed, checkpointEvery, workers, shuffle);
    }
}
