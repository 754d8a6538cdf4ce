package dev.kora4j.cli;

import dev.kora4j.data.DataSpec;
import dev.kora4j.data.Protocol;
import dev.kora4j.report.RunResult;
import dev.kora4j.train.SourceRun;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** `kora train`: fine-tune on a source task with one method; the run folder holds everything it made. */
@Command(name = "train", description = "Fine-tune a ViT on a source task with one method (an adapter config); writes the run folder.")
final class TrainCommand implements Runnable {
    @Option(names = "--model", required = true, description = "timm hub config.json.") Path model;
    @Option(names = "--weights", description = "Backbone weights (safetensors, timm names); without: timm's initialisation.") Path weights;
    @Option(names = "--adapter-config", required = true, description = "adapter_config.json: LORA, KORA, KORA_SEED, LINEAR_PROBE or FULL.") Path adapterConfig;
    @Option(names = "--data", required = true, description = "cifar100:DIR, tinyimagenet:DIR, folder:DIR or idx:DIR.") String data;
    @Option(names = "--protocol", defaultValue = "corrected", description = "corrected (default) or seed (the notebook's labels and normalisation).") String protocol;
    @Option(names = "--out", required = true, description = "Run folder.") Path out;
    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint.") boolean resume;
    @Mixin TrainOptionsMixin options;

    @Override
    public void run() {
        RunResult r = SourceRun.run(new SourceRun.Request(model, weights, adapterConfig, DataSpec.parse(data), Protocol.parse(protocol),
                options.toOptions(5, 1e-4, true), out, resume, options.device()), System.err);
        Outputs.printEvaluation("train", r);
    }
}
