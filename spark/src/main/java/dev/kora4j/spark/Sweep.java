package dev.kora4j.spark;

import dev.kora4j.io.InputException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.ExceptionFailure;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.Success$;
import org.apache.spark.TaskFailedReason;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * `kora sweep`: expands the spec into runs, runs each as one Spark task (one partition per run),
 * and aggregates what the tasks send back into DIR/sweep.json, DIR/report.md and the plots.
 * Run folders live in DIR/runs/; running the same sweep again continues it: finished runs are read
 * back, interrupted ones resume from their checkpoints.
 */
public final class Sweep {
    /** How to run: a Spark master URL, cpu or cuda, compute threads per process (null: all cores), extra Spark settings. */
    public record Options(String master, String device, Integer threads, Map<String, String> conf, List<String> failOnce) {
        public Options {
            conf = Map.copyOf(conf == null ? Map.of() : conf);
            failOnce = List.copyOf(failOnce == null ? List.of() : failOnce);
        }

        public static Options local(String master) {
            return new Options(master, "cpu", null, Map.of(), List.of());
        }
    }

    /** What a sweep did: its runs, their outcomes, failed task attempts per run (retried by Spark), and the aggregate. */
    public record Result(List<RunSpec> runs, Map<String, Integer> failedAttempts, SweepReport.Aggregate aggregate) {}

    /** The sweep could not finish: a run failed on every attempt Spark gave it. */
    public static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private Sweep() {}

    public static Result run(SweepSpec spec, Path out, Options o, PrintStream log) {
        List<RunSpec> runs = spec.expand();
        Path dir = out.toAbsolutePath().normalize();
        Path runsDir = dir.resolve("runs");
        try {
            Files.createDirectories(runsDir);
        } catch (IOException e) {
            throw new InputException(runsDir + ": cannot create the sweep's folder (" + e.getMessage() + ")");
        }
        int finished = 0;
        for (RunSpec r : runs) {
            Path runDir = runsDir.resolve(r.id());
            if (Files.exists(runDir.resolve(RunSpec.FILE))) {
                RunExecution.requireSame(r, runDir); // before any task starts, not after four failed attempts
            }
            finished += Files.exists(runDir.resolve(RunExecution.MARKER)) ? 1 : 0;
        }
        long configurations = runs.stream().map(RunSpec::configuration).distinct().count();
        SparkSetup.requireLocalDevice(o.master(), o.device());
        SparkConf conf = SparkSetup.conf("kora sweep: " + spec.title(), o.master(), o.device(), o.threads(), o.conf(), SparkSetup.home());
        log.printf(Locale.ROOT, "sweep: %d runs (%d configurations × %d seeds) into %s, %d finished earlier; Spark master %s%n",
                runs.size(), configurations, spec.seeds().size(), runsDir, finished, conf.get("spark.master"));

        Progress progress = new Progress(runs, log);
        List<String> outcomes;
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.sc().addSparkListener(progress);
            if (!o.failOnce().isEmpty()) {
                sc.setLocalProperty(RunTask.FAIL_ONCE, String.join(",", o.failOnce()));
            }
            sc.setJobDescription(spec.title() + ": " + runs.size() + " runs");
            outcomes = sc.parallelize(runs.stream().map(RunSpec::toJson).toList(), runs.size()).map(new RunTask(runsDir, o.device())).collect();
        } catch (Exception e) { // Scala does not declare the SparkException that collect throws
            if (!(e instanceof SparkException failed)) {
                throw e;
            }
            throw new Failure(failureMessage(failed) + "; finished runs and checkpoints are kept in " + runsDir
                    + ": run the same command again to continue", failed);
        }
        List<RunOutcome> parsed = outcomes.stream().map(RunOutcome::parse).toList();
        SweepReport.Aggregate aggregate = SweepReport.write(spec, runs, parsed, dir);
        log.println("sweep: report in " + dir.resolve(SweepReport.MARKDOWN));
        return new Result(runs, Map.copyOf(progress.failed), aggregate);
    }

    /** The failing run's own message where Spark kept it, else the first line of Spark's. */
    private static String failureMessage(SparkException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RunTask.TaskFailure f) {
                return "the sweep stopped: " + f.getMessage();
            }
        }
        String m = String.valueOf(e.getMessage());
        int marker = m.indexOf(RunTask.TaskFailure.class.getName() + ": ");
        if (marker >= 0) {
            String rest = m.substring(marker + RunTask.TaskFailure.class.getName().length() + 2);
            return "the sweep stopped: " + rest.lines().findFirst().orElse(rest);
        }
        return "the sweep stopped: " + m.lines().findFirst().orElse(m);
    }

    /** One line per finished or failed task on the driver's log; counts failed attempts per run. */
    private static final class Progress extends SparkListener {
        private final List<RunSpec> runs;
        private final PrintStream log;
        private final AtomicInteger done = new AtomicInteger();
        final Map<String, Integer> failed = new ConcurrentHashMap<>();

        Progress(List<RunSpec> runs, PrintStream log) {
            this.runs = new ArrayList<>(runs);
            this.log = log;
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            int index = end.taskInfo().index();
            if (index < 0 || index >= runs.size()) {
                return;
            }
            String id = runs.get(index).id();
            int attempt = end.taskInfo().attemptNumber() + 1;
            if (end.reason() == Success$.MODULE$) {
                log.printf(Locale.ROOT, "sweep: [%d/%d] %s done (attempt %d, %.1f s)%n", done.incrementAndGet(), runs.size(), id, attempt,
                        end.taskInfo().duration() / 1000.0);
            } else if (end.reason() instanceof TaskFailedReason reason) {
                failed.merge(id, 1, Integer::sum);
                String why = reason instanceof ExceptionFailure f ? f.description() : reason.toErrorString();
                log.printf(Locale.ROOT, "sweep: %s attempt %d failed: %s%n", id, attempt, why.lines().findFirst().orElse(why));
            }
        }
    }

    static Map<String, String> parseConf(List<String> pairs) {
        Map<String, String> conf = new LinkedHashMap<>();
        for (String p : pairs) {
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new dev.kora4j.cli.UserError("--conf " + p + ": expected KEY=VALUE, e.g. spark.executor.memory=8g");
            }
            conf.put(p.substring(0, eq), p.substring(eq + 1));
        }
        return conf;
    }
}
