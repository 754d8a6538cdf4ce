package dev.kora4j.cli;

import dev.kora4j.report.Experiment;
import dev.kora4j.report.RunResult;
import dev.kora4j.train.Demo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
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
    @Mixin DeviceMixin device;

    @Override
    public void run() {
        Main.applyThreads(threads);
        Demo.Settings s = Demo.Settings.standard();
        if (epochs != null) {
            if (epochs < 1) {
                throw new UserError("--epochs must be at least 1, got " + epochs);
            }
            s = new Demo.Settings(epochs, s.transferShots(), s.transferEpochs(), s.ckaImages(), s.seed());
        }
        Experiment e = Demo.run(home(), out, s, device.device(), System.err);
        System.out.println("report: " + out.resolve("report.md"));
        System.out.printf(Locale.ROOT, "%-36s %10s %10s %12s %12s%n", "method", "params %", "source acc", "transfer acc", "transfer F1");
        for (String method : e.methods()) {
            RunResult src = e.find(method, RunResult.Phase.SOURCE), tr = e.find(method, RunResult.Phase.TRANSFER);
            System.out.printf(Locale.ROOT, "%-36s %10.2f %10.4f %12.4f %12.4f%n", method, src.params().percent(),
                    src.evaluation().accuracy(), tr.evaluation().accuracy(), tr.evaluation().weightedF1());
        }
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
