package dev.kora4j.train;

import dev.kora4j.data.DataSpec;
import dev.kora4j.data.Dataset;
import dev.kora4j.data.LabelCheck;
import dev.kora4j.data.Preprocess;
import dev.kora4j.data.Protocol;
import dev.kora4j.data.Split;
import dev.kora4j.data.Subsets;
import dev.kora4j.data.Transform;
import dev.kora4j.io.InputException;
import dev.kora4j.metrics.ParamCount;
import dev.kora4j.peft.PeftModel;
import dev.kora4j.report.RunResult;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * `kora transfer`: a trained run's backbone (with its adapter) gets a new head for a target task;
 * only the head trains, on a class-balanced K-shot subset of the target's train split, and the
 * result is evaluated on the whole target evaluation split.
 *
 * <p>With {@code --protocol seed} it reproduces the seed notebook instead: labels from the leaf
 * folder (timm's ImageDataset), the first K·C paths in natural order, the notebook's normalisation,
 * no shuffling. On Tiny ImageNet's original layout every label is then 0; the label check warns and
 * the report shows the F1 = 2·acc/(1+acc) identity that gives the collapse away.
 */
public final class TransferRun {
    private TransferRun() {}

    /** With {@code resume}, a head trained part-way in {@code out} continues from its checkpoint. */
    public record Request(Path sourceRun, DataSpec data, int shots, Protocol protocol, TrainOptions options, Path out, boolean resume,
                          Device device) {
        /** On the cpu. */
        public Request(Path sourceRun, DataSpec data, int shots, Protocol protocol, TrainOptions options, Path out, boolean resume) {
            this(sourceRun, data, shots, protocol, options, out, resume, Device.CPU);
        }

        public Request(Path sourceRun, DataSpec data, int shots, Protocol protocol, TrainOptions options, Path out) {
            this(sourceRun, data, shots, protocol, options, out, false);
        }
    }

    public static RunResult run(Request r, PrintStream log) {
        return run(r, log, Trainer.Listener.NONE);
    }

    /** As {@link #run(Request, PrintStream)}, telling {@code listener} about each step and checkpoint. */
    public static RunResult run(Request r, PrintStream log, Trainer.Listener listener) {
        long started = System.nanoTime();
        RunSettings source = RunSettings.read(r.sourceRun());
        PeftModel model = Runs.load(r.sourceRun(), r.device());
        Dataset train = r.data().open(Split.TRAIN, r.protocol());
        Dataset val = r.data().open(r.data().evalSplit(), r.protocol());
        // the classes the target declares (wnids.txt, class folders): under the seed protocol the head is that
        // wide too, as the notebook's was, even though its reader finds a single label
        int classes = r.protocol() == Protocol.SEED ? r.data().open(Split.TRAIN, Protocol.CORRECTED).numClasses() : train.numClasses();
        List<String> warnings = new ArrayList<>();
        LabelCheck.check(train, r.data() + " " + Split.TRAIN, classes, r.protocol()).ifPresent(warnings::add);
        LabelCheck.check(val, r.data() + " " + r.data().evalSplit(), classes, r.protocol()).ifPresent(warnings::add);
        warnings.forEach(log::println);

        Rng rng = new Rng(r.options().seed());
        int[] subset = r.protocol() == Protocol.SEED
                ? Subsets.first(train, Math.min(train.size(), r.shots() * Math.max(classes, 1)))
                : Subsets.kShot(train, r.shots(), rng.fork());
        model.retrainHeadOnly(model.vit().newHead(classes, rng.fork()));
        String preprocess = r.data().preprocessName(r.protocol());
        Transform transform = Preprocess.named(preprocess, model.vit().config().imgSize());
        log.printf("transfer: %s → %s: %d training images (%s), %d evaluation images; preprocessing %s%n", r.sourceRun(), r.data(),
                subset.length, r.protocol() == Protocol.SEED ? "first paths, as the notebook" : r.shots() + " per class", val.size(), preprocess);
        try {
            Files.createDirectories(r.out());
        } catch (IOException e) {
            throw new InputException(r.out() + ": cannot create the output folder (" + e.getMessage() + ")");
        }
        Trainer trainer = new Trainer(model, r.options(), r.out(), log, listener);
        Trainer.Result result = trainer.fit(train.subset(subset), val, transform, transform, r.resume());
        if (result.stopped()) {
            throw new InputException("the transfer was stopped at step " + result.steps() + "; its checkpoint is kept in " + r.out());
        }
        Map<String, String> config = new java.util.LinkedHashMap<>();
        config.put("source_run", ShownPaths.of(r.sourceRun(), r.out()));
        config.put("data", ShownPaths.of(r.data(), r.out()));
        config.put("protocol", r.protocol().toString());
        config.put("shots", String.valueOf(r.shots()));
        config.put("train_images", String.valueOf(subset.length));
        config.put("epochs", String.valueOf(r.options().epochs()));
        config.put("lr", String.valueOf(r.options().lr()));
        config.put("seed", String.valueOf(r.options().seed()));
        String method = Methods.label(dev.kora4j.peft.AdapterConfig.parse(dev.kora4j.io.JsonFile.parse("run adapter config", source.adapterConfigJson())));
        RunResult run = new RunResult(method, RunResult.Phase.TRANSFER, r.data().label(), r.options().seed(), config,
                ParamCount.of(model.allParameters()), result.epochs(), result.last(), null, (System.nanoTime() - started) / 1e9, warnings);
        SourceRun.writeReport(r.out(), "Transfer: " + method + " to " + ShownPaths.of(r.data(), r.out()), config, List.of(run));
        return run;
    }
}
