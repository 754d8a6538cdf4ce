package dev.kora4j.cli;

import dev.kora4j.example.Digits;
import dev.kora4j.example.DigitsMlp;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `kora example ...`: small end-to-end programs built on the engine. */
@Command(name = "example", description = "Small end-to-end examples.", subcommands = {ExampleCommand.Mlp.class})
public final class ExampleCommand implements Runnable {
    @Override
    public void run() {
        throw new UserError("example needs a name: mlp (see kora example --help)");
    }

    @Command(name = "mlp", description = "Trains an MLP on the digits data (8×8 images); the last stdout line is test_accuracy=<fraction>.")
    static final class Mlp implements Runnable {
        @Option(names = "--epochs", description = "Training epochs (default 30).") Integer epochs;
        @Option(names = "--seed", description = "Seed of the split, the initialisation and the shuffles (default 0).") Long seed;
        @Option(names = "--threads", description = "Worker threads (default: all cores).") Integer threads;

        @Override
        public void run() {
            Main.applyThreads(threads);
            DigitsMlp.Config d = DigitsMlp.Config.defaults();
            if (epochs != null && epochs < 1) {
                throw new UserError("--epochs must be at least 1, got " + epochs);
            }
            DigitsMlp.Config config = new DigitsMlp.Config(d.hidden(), epochs != null ? epochs : d.epochs(), d.batch(), d.lr(),
                    d.weightDecay(), d.testFraction(), seed != null ? seed : d.seed());
            Digits data = Digits.load();
            System.err.printf(Locale.ROOT, "digits: %d images, %d held out for testing%n", data.size(),
                    Math.round(data.size() * config.testFraction()));
            double accuracy = DigitsMlp.trainAndTest(data, config, System.err);
            System.out.printf(Locale.ROOT, "test_accuracy=%.4f%n", accuracy);
        }
    }
}
