package dev.kora4j.cli;

import dev.kora4j.data.DataSpec;
import dev.kora4j.data.Protocol;
import dev.kora4j.report.RunResult;
import dev.kora4j.train.TransferRun;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `kora transfer`: a new head on a trained run's backbone, trained K-shot on a target task. */
@Command(name = "transfer", description = "Train a new head on a trained run's backbone with K images per class of a target task; evaluate on its whole evaluation split.")
final class TransferCommand implements Runnable {
    @Option(names = "--run", required = true, description = "A finished `kora train` run folder.") Path run;
    @Option(names = "--data", required = true, description = "tinyimagenet:DIR, folder:DIR, cifar100:DIR or idx:DIR.") String data;
    @Option(names = "--shots", required = true, description = "Training images per class (seed protocol: the first shots × classes paths).") int shots;
    @Option(names = "--protocol", defaultValue = "corrected", description = "corrected (default) or seed (reproduces the notebook, label collapse included).") String protocol;
    @Option(names = "--out", required = true, description = "Output folder.") Path out;
    @Mixin TrainOptionsMixin options;

    @Override
    public void run() {
        if (shots < 1) {
            throw new UserError("--shots must be at least 1, got " + shots);
        }
        Protocol p = Protocol.parse(protocol);
        RunResult r = TransferRun.run(new TransferRun.Request(run, DataSpec.parse(data), shots, p,
                options.toOptions(p == Protocol.SEED ? 1 : 10, 1e-3, p != Protocol.SEED), out, false, options.device()), System.err);
        Outputs.printEvaluation("transfer", r);
    }
}
