package dev.kora4j.spark;

import dev.kora4j.backend.cpu.Parallel;
import dev.kora4j.cli.UserError;
import dev.kora4j.io.InputException;
import dev.kora4j.report.RunResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `kora sweep`: a grid of train + transfer runs as Spark tasks, in this process (local mode, the
 * default) or on a cluster given its master URL; one report over all of them. Results on stdout,
 * logs on stderr, bad input as one `error:` line (exit 2), a run that failed every attempt exit 1.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true, version = "kora4j 0.1.0",
        description = "Run a grid of train + transfer runs (SWEEP.json) as Apache Spark tasks and aggregate them into one report.",
        footer = {"", "Running the same command again continues a sweep: finished runs are kept, interrupted ones resume from their checkpoints."})
public final class SweepCommand implements Callable<Integer> {
    @Option(names = "--spec", required = true, description = "SWEEP.json: model, weights, data, training options, grid and seeds.") Path spec;
    @Option(names = "--out", required = true, description = "Sweep folder: runs/<run-id>/ per run, sweep.json, report.md, plots "
            + "(on a cluster: a folder every worker sees at this path).") Path out;
    @Option(names = "--master", defaultValue = SparkSetup.DEFAULT_MASTER, description = "Spark master: local[N] or local[N,attempts] "
            + "(in this process; default ${DEFAULT-VALUE}), spark://HOST:7077, k8s://https://HOST:443, …") String master;
    @Option(names = "--device", defaultValue = "cpu", description = "cpu (default) or cuda: one GPU per task.") String device;
    @Option(names = "--threads", description = "Compute threads per process (default: all cores; tasks of one process share them).") Integer threads;
    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "Any Spark setting, e.g. spark.executor.memory=8g (repeatable).")
    List<String> conf = new ArrayList<>();
    @Option(names = "--verbose", description = "Print stack traces of errors.") boolean verbose;
    @Option(names = "--fail-once", hidden = true, paramLabel = "RUN_ID",
            description = "Testing fault tolerance: the run's first attempt fails after its first checkpoint.") List<String> failOnce = new ArrayList<>();

    @Override
    public Integer call() {
        if (threads != null) {
            if (threads < 1) {
                throw new UserError("--threads must be at least 1, got " + threads);
            }
            Parallel.setThreads(threads); // local mode's tasks compute in this process
        }
        SweepSpec s = SweepSpec.read(spec);
        Sweep.Result r = Sweep.run(s, out, new Sweep.Options(master, device, threads, Sweep.parseConf(conf), failOnce), System.err);
        System.out.println("report: " + out.toAbsolutePath().normalize().resolve(SweepReport.MARKDOWN));
        System.out.printf(Locale.ROOT, "%-40s %5s %9s %18s %18s%n", "configuration", "seeds", "params %", "source acc", "transfer acc");
        for (SweepReport.Configuration c : r.aggregate().configurations()) {
            var g = c.group();
            System.out.printf(Locale.ROOT, "%-40s %5d %9s %18s %18s%n", g.label(), g.source().size(),
                    g.paramsPercent(RunResult.Phase.SOURCE).format(1, 2).replaceFirst(" ± 0\\.00$", ""),
                    g.accuracy(RunResult.Phase.SOURCE).format(1, 4), g.accuracy(RunResult.Phase.TRANSFER).format(1, 4));
        }
        return 0;
    }

    public static void main(String[] args) {
        if (System.getProperty("kora.progress") == null) {
            System.setProperty("kora.progress", "false"); // concurrent runs' progress bars would garble one terminal
        }
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        SweepCommand command = new SweepCommand();
        CommandLine cli = new CommandLine(command);
        PrintWriter err = cli.getErr();
        cli.setParameterExceptionHandler((ex, a) -> {
            err.println("error: sweep: " + ex.getMessage());
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (command.verbose) {
                ex.printStackTrace(err);
            }
            if (ex instanceof UserError || ex instanceof InputException) {
                err.println("error: " + ex.getMessage());
                return 2;
            }
            if (ex instanceof Sweep.Failure) {
                err.println("error: " + ex.getMessage());
                return 1;
            }
            err.println("error: internal failure (" + ex.getClass().getSimpleName() + "): " + ex.getMessage()
                    + (command.verbose ? "" : " (run with --verbose for details)"));
            return 1;
        });
        return cli.execute(args);
    }
}
