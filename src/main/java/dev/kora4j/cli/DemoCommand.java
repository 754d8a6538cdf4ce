package dev.kora4j.cli;

import dev.kora4j.metrics.Evaluation;
import dev.kora4j.report.Experiment;
import dev.kora4j.report.MarkdownReport;
import dev.kora4j.report.RunResult;
import dev.kora4j.train.Demo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * `kora demo`: the main job on the data shipped in the repository (see {@link Demo}); results.json,
 * metrics.csv, report.md and the plots go to --out.
 */
@Command(name = "demo", description = "The whole study on embedded data: five methods on a source task, transfer to another data set, one report.")
public final class DemoCommand implements Runnable {
    @Option(names = "--out", defaultValue = "demo-out", description = "Output folder (default ${DEFAULT-VALUE}).") Path out;
    @Option(names = "--threads", description = "Compute threads (default: all cores).") Integer threads;
    @Option(names = "--epochs", description = "Source epochs per method (default 4).") Integer epochs;
    @Option(names = "--seeds", description = "Seeds per method, 0 to N-1 (default 3): the report's intervals and paired tests are over them.")
    Integer seeds;
    @Mixin DeviceMixin device;

    @Override
    public void run() {
        Main.applyThreads(threads);
        Demo.Settings s = Demo.Settings.standard();
        if (epochs != null && epochs < 1) {
            throw new UserError("--epochs must be at least 1, got " + epochs);
        }
        if (seeds != null && seeds < 1) {
            throw new UserError("--seeds must be at least 1, got " + seeds);
        }
        s = new Demo.Settings(epochs == null ? s.sourceEpochs() : epochs, s.transferShots(), s.transferEpochs(), s.ckaImages(), s.seed(),
                seeds == null ? s.seeds() : seeds);
        Experiment e = Demo.run(home(), out, s, device.device(), System.err);
        System.out.println("report: " + out.resolve("report.md"));
        for (String line : MarkdownReport.verdictLines(e)) {
            System.out.println(line.replace("**", ""));
        }
        System.out.printf(Locale.ROOT, "%-36s %10s %10s %12s %12s   (means over %d %s)%n", "method", "params %", "source acc", "transfer acc",
                "transfer F1", s.seeds(), s.seeds() == 1 ? "seed" : "seeds");
        for (String method : e.methods()) {
            List<RunResult> src = runs(e, method, RunResult.Phase.SOURCE), tr = runs(e, method, RunResult.Phase.TRANSFER);
            System.out.printf(Locale.ROOT, "%-36s %10.2f %10.4f %12.4f %12.4f%n", method, src.getFirst().params().percent(),
                    mean(src, Evaluation::accuracy), mean(tr, Evaluation::accuracy), mean(tr, Evaluation::weightedF1));
        }
    }

    private static List<RunResult> runs(Experiment e, String method, RunResult.Phase phase) {
        return e.runs(phase).stream().filter(r -> r.method().equals(method)).toList();
    }

    private static double mean(List<RunResult> runs, ToDoubleFunction<Evaluation> value) {
        return runs.stream().mapToDouble(r -> value.applyAsDouble(r.evaluation())).average().orElse(Double.NaN);
    }

    /** The repository root: -Dkora.home (bin/kora sets it), else two folders above the jar. */
    static Path home() {
        String configured = System.getProperty("kora.home");
        if (configured != null) {
            return Path.of(configured);
        }
        try {
            Path jar = Path.of(DemoCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path root = jar.getParent() == null ? null : jar.getParent().getParent();
            if (root != null && Files.isDirectory(root.resolve("test-data"))) {
                return root;
            }
        } catch (java.net.URISyntaxException | SecurityException ignored) {
            // fall through to the working directory
        }
        return Path.of("");
    }
}
