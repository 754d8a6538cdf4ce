package dev.kora4j.cli;

import dev.kora4j.data.DataSpec;
import dev.kora4j.data.Preprocess;
import dev.kora4j.data.Protocol;
import dev.kora4j.metrics.CkaMatrix;
import dev.kora4j.peft.PeftModel;
import dev.kora4j.report.Experiment;
import dev.kora4j.report.Reports;
import dev.kora4j.report.ResultsJson;
import dev.kora4j.report.RunResult;
import dev.kora4j.train.CkaProbe;
import dev.kora4j.train.Runs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `kora cka`: linear CKA between every pair of blocks of a trained run, on the first N images of the
 * data's evaluation split; writes cka.json and adds the class-token matrix to the run's report.
 */
@Command(name = "cka", description = "Linear CKA between the blocks of a trained run (class token and mean token).")
final class CkaCommand implements Runnable {
    @Option(names = "--run", required = true, description = "A finished `kora train` run folder.") Path run;
    @Option(names = "--data", required = true, description = "cifar100:DIR, tinyimagenet:DIR, folder:DIR or idx:DIR.") String data;
    @Option(names = "--images", defaultValue = "32", description = "Images (default ${DEFAULT-VALUE}, as the seed).") int images;
    @Option(names = "--protocol", defaultValue = "corrected", description = "corrected (default) or seed.") String protocol;
    @Option(names = "--threads", description = "Compute threads (default: all cores).") Integer threads;
    @Mixin DeviceMixin device;

    @Override
    public void run() {
        if (images < 2) {
            throw new UserError("--images must be at least 2, got " + images);
        }
        Main.applyThreads(threads);
        DataSpec spec = DataSpec.parse(data);
        Protocol p = Protocol.parse(protocol);
        PeftModel model = Runs.load(run, device.device());
        CkaProbe.Result r = CkaProbe.measure(model, spec.open(spec.evalSplit(), p),
                Preprocess.named(spec.preprocessName(p), model.vit().config().imgSize()), images);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("command", "cka");
        out.put("images", Math.min(images, Integer.MAX_VALUE));
        out.put("blocks", r.classToken().labels());
        out.put("class_token", r.classToken().values());
        out.put("mean_token", r.meanToken().values());
        EvalCommand.write(run.resolve("cka.json"), out);
        addToReport(r.classToken());
        BenchCommand.printJson(out);
    }

    /** The run's source result gets the class-token CKA, and the report is written again with it. */
    private void addToReport(CkaMatrix cka) {
        Path results = run.resolve(ResultsJson.FILE_NAME);
        if (!Files.exists(results)) {
            return;
        }
        Experiment e = ResultsJson.read(results);
        List<RunResult> runs = new ArrayList<>();
        for (RunResult r : e.runs()) {
            runs.add(r.phase() == RunResult.Phase.SOURCE ? new RunResult(r.method(), r.phase(), r.dataset(), r.seed(), r.config(),
                    r.params(), r.epochs(), r.evaluation(), cka, r.seconds(), r.warnings()) : r);
        }
        try {
            Reports.writeAll(new Experiment(e.title(), e.settings(), runs, e.warnings()), run);
        } catch (java.io.IOException ex) {
            throw new UserError("cannot rewrite the report in " + run + " (" + ex.getMessage() + ")");
        }
    }
}
