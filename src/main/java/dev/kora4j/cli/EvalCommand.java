package dev.kora4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.kora4j.data.DataSpec;
import dev.kora4j.data.Dataset;
import dev.kora4j.data.Preprocess;
import dev.kora4j.data.Protocol;
import dev.kora4j.data.Split;
import dev.kora4j.io.AtomicWrite;
import dev.kora4j.metrics.Evaluation;
import dev.kora4j.peft.PeftModel;
import dev.kora4j.train.Evaluator;
import dev.kora4j.train.Runs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `kora eval`: a trained run on a data split; writes eval-SPLIT.json into the run folder and prints it. */
@Command(name = "eval", description = "Evaluate a trained run on a split of a data set (accuracy, weighted and macro F1).")
final class EvalCommand implements Runnable {
    @Option(names = "--run", required = true, description = "A finished `kora train` run folder.") Path run;
    @Option(names = "--data", required = true, description = "cifar100:DIR, tinyimagenet:DIR, folder:DIR or idx:DIR.") String data;
    @Option(names = "--split", description = "val or test (default: the data's evaluation split).") String split;
    @Option(names = "--protocol", defaultValue = "corrected", description = "corrected (default) or seed.") String protocol;
    @Option(names = "--batch", defaultValue = "64", description = "Images per batch (default ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--threads", description = "Compute threads (default: all cores).") Integer threads;
    @Mixin DeviceMixin device;

    @Override
    public void run() {
        Main.applyThreads(threads);
        DataSpec spec = DataSpec.parse(data);
        Protocol p = Protocol.parse(protocol);
        Split s = split == null ? spec.evalSplit() : Split.parse(split);
        PeftModel model = Runs.load(run, device.device());
        Dataset ds = spec.open(s, p);
        Evaluation e = Evaluator.evaluate(model, ds, Preprocess.named(spec.preprocessName(p), model.vit().config().imgSize()),
                batch, 2, "evaluate");
        Map<String, Object> out = Outputs.evaluation("eval", null, e);
        out.put("data", spec.toString());
        out.put("split", s.toString());
        write(run.resolve("eval-" + s + ".json"), out);
        BenchCommand.printJson(out);
    }

    static void write(Path file, Object value) {
        try {
            byte[] bytes = (new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            AtomicWrite.write(file, bytes);
        } catch (java.io.IOException e) {
            throw new UserError("cannot write " + file + " (" + e.getMessage() + ")");
        }
    }
}
