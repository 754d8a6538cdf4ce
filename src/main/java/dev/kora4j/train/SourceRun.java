package dev.kora4j.train;

import dev.kora4j.data.DataSpec;
import dev.kora4j.data.Dataset;
import dev.kora4j.data.LabelCheck;
import dev.kora4j.data.Preprocess;
import dev.kora4j.data.Protocol;
import dev.kora4j.data.Split;
import dev.kora4j.data.Transform;
import dev.kora4j.io.InputException;
import dev.kora4j.io.JsonFile;
import dev.kora4j.io.Safetensors;
import dev.kora4j.metrics.ParamCount;
import dev.kora4j.nn.ViTConfig;
import dev.kora4j.nn.ViTConfigs;
import dev.kora4j.peft.AdapterConfig;
import dev.kora4j.peft.AdapterFiles;
import dev.kora4j.peft.PeftModel;
import dev.kora4j.report.Experiment;
import dev.kora4j.report.Reports;
import dev.kora4j.report.RunResult;
import dev.kora4j.tensor.Device;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * `kora train`: fine-tune a ViT on a source task with one method (an adapter config) and write the
 * run folder: run.json, checkpoints, the adapter in PEFT's layout, results.json, metrics.csv, plots
 * and report.md.
 */
public final class SourceRun {
    /** The fine-tuned backbone of a FULL or LINEAR_PROBE run. */
    public static final String MODEL_FILE = "model.safetensors";

    private SourceRun() {}

    /** What `kora train` was asked; weights may be null (a backbone from timm's initialisation). */
    public record Request(Path modelConfig, Path weights, Path adapterConfig, DataSpec data, Protocol protocol,
                          TrainOptions options, Path out, boolean resume, Device device) {
        /** On the cpu. */
        public Request(Path modelConfig, Path weights, Path adapterConfig, DataSpec data, Protocol protocol,
                       TrainOptions options, Path out, boolean resume) {
            this(modelConfig, weights, adapterConfig, data, protocol, options, out, resume, Device.CPU);
        }
    }

    public static RunResult run(Request r, PrintStream log) {
        return run(r, log, Trainer.Listener.NONE);
    }

    /** As {@link #run(Request, PrintStream)}, telling {@code listener} about each step and checkpoint. */
    public static RunResult run(Request r, PrintStream log, Trainer.Listener listener) {
        long started = System.nanoTime();
        Dataset train = r.data().open(Split.TRAIN, r.protocol());
        Dataset val = r.data().open(r.data().evalSplit(), r.protocol());
        List<String> warnings = new ArrayList<>();
        LabelCheck.check(train, r.data() + " " + Split.TRAIN, train.numClasses(), r.protocol()).ifPresent(warnings::add);
        LabelCheck.check(val, r.data() + " " + r.data().evalSplit(), train.numClasses(), r.protocol()).ifPresent(warnings::add);
        warnings.forEach(log::println);

        String modelJson = JsonFile.read(r.modelConfig()).root().toString();
        ViTConfig config = ViTConfigs.parse(JsonFile.read(r.modelConfig()));
        AdapterConfig adapter = AdapterConfig.read(r.adapterConfig());
        String adapterJson = JsonFile.parse("adapter config", adapter.toJson()).root().toString();
        RunSettings settings = new RunSettings(modelJson, r.weights() == null ? "" : r.weights().toString(), adapterJson,
                r.data().toString(), r.protocol().toString(), train.numClasses(), r.options());
        if (r.weights() != null && config.numClasses() != train.numClasses() && adapter.type().hasAdapter() && !adapter.savesHead()) {
            throw new InputException(r.adapterConfig() + ": the backbone's head has " + config.numClasses() + " classes but "
                    + r.data() + " has " + train.numClasses() + "; add \"modules_to_save\": [\"head\"] so that a new head is trained");
        }
        // The model first: a config that cannot be built must not leave a run folder behind that a
        // corrected rerun would then refuse ("already holds a run").
        PeftModel model = Runs.build(settings, r.adapterConfig().toString(), r.device());
        prepareFolder(r, settings);
        String preprocess = r.data().preprocessName(r.protocol());
        int img = model.vit().config().imgSize();
        Transform transform = Preprocess.named(preprocess, img);
        log.printf("train: %s on %s (%d images, %d classes), evaluated on %s (%d images); preprocessing %s%n",
                Methods.label(adapter), r.data(), train.size(), train.numClasses(), r.data().evalSplit(), val.size(), preprocess);

        Trainer trainer = new Trainer(model, r.options(), r.out(), log, listener);
        Trainer.Result result = trainer.fit(train, val, transform, transform, r.resume());
        if (result.stopped()) {
            throw new InputException("training was stopped at step " + result.steps() + "; run again with --resume to continue");
        }
        if (adapter.type().hasAdapter()) {
            AdapterFiles.save(model, r.out().resolve("adapter"));
        } else {
            // the whole fine-tuned ViT under timm's names: usable as --weights of another run
            Safetensors.write(r.out().resolve(MODEL_FILE), model.vit().namedParameters(), Map.of("format", "pt"));
        }
        Map<String, String> runConfig = runConfig(r, preprocess);
        RunResult run = new RunResult(Methods.label(adapter), RunResult.Phase.SOURCE, r.data().label(), r.options().seed(),
                runConfig, ParamCount.of(model.allParameters()), result.epochs(), result.last(), null,
                (System.nanoTime() - started) / 1e9, warnings);
        writeReport(r.out(), "Training: " + run.method() + " on " + ShownPaths.of(r.data(), r.out()), runConfig, List.of(run));
        return run;
    }

    /** A fresh folder (or, with --resume, one whose run.json matches these settings). */
    private static void prepareFolder(Request r, RunSettings settings) {
        try {
            Files.createDirectories(r.out());
        } catch (IOException e) {
            throw new InputException(r.out() + ": cannot create the run folder (" + e.getMessage() + ")");
        }
        Path runJson = r.out().resolve(RunSettings.FILE);
        if (Files.exists(runJson)) {
            if (!r.resume()) {
                throw new InputException(r.out() + ": already holds a run; use --resume to continue it or another --out");
            }
            RunSettings before = RunSettings.read(r.out());
            if (!before.equals(settings)) {
                throw new InputException(runJson + ": the run was started with other settings; --resume needs the same model, "
                        + "weights, adapter config, data and options");
            }
        } else {
            settings.write(r.out());
        }
    }

    static Map<String, String> runConfig(Request r, String preprocess) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("data", ShownPaths.of(r.data(), r.out()));
        m.put("protocol", r.protocol().toString());
        m.put("preprocess", preprocess);
        m.put("epochs", String.valueOf(r.options().epochs()));
        m.put("batch", String.valueOf(r.options().batch()));
        m.put("lr", String.valueOf(r.options().lr()));
        m.put("weight_decay", String.valueOf(r.options().weightDecay()));
        m.put("seed", String.valueOf(r.options().seed()));
        return m;
    }

    static void writeReport(Path out, String title, Map<String, String> settings, List<RunResult> runs) {
        try {
            Reports.writeAll(new Experiment(title, settings, runs, List.of()), out); // the runs carry their own warnings
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report into " + out, e);
        }
    }
}
