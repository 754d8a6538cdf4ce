package dev.kora4j.spark;

import dev.kora4j.report.Experiment;
import dev.kora4j.report.ResultsJson;
import dev.kora4j.tensor.Device;
import dev.kora4j.train.Trainer;
import dev.kora4j.train.TrainingFailure;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import org.apache.spark.TaskContext;
import org.apache.spark.TaskKilledException;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.resource.ResourceInformation;

/**
 * The Spark task of one run: {@link RunExecution} in {@code DIR/runs/<id>/}, its log appended to
 * log.txt there (and, line by line with the run's id in front, to the executor's stderr). A run
 * that fails throws, so that Spark retries it, and the retry resumes from the checkpoint; a killed
 * task stops at the next step.
 */
final class RunTask implements Function<String, String> {
    private static final long serialVersionUID = 1L;
    /** Job property naming runs whose first attempt fails after its first checkpoint (tests of retries). */
    static final String FAIL_ONCE = "kora.sweep.fail-once";
    static final String LOG = "log.txt";

    private final String runsDir;
    private final String device;

    RunTask(Path runsDir, String device) {
        this.runsDir = runsDir.toString();
        this.device = device;
    }

    /**
     * The device this task computes on. On cuda it is the GPU Spark gave the task (its address is the
     * device's ordinal), which becomes the engine's device; an executor has one GPU, so every task
     * it runs gets the same one.
     */
    private Device device(TaskContext task) {
        if (!device.equals("cuda")) {
            return Device.CPU;
        }
        ResourceInformation gpus = task == null ? null : task.resourcesJMap().get("gpu");
        if (gpus != null && gpus.addresses().length > 0) {
            String given = gpus.addresses()[0], before = System.getProperty("kora.cuda.device");
            if (before != null && !before.equals(given)) {
                throw new IllegalStateException("this executor computes on cuda device " + before + " but Spark gave the task device "
                        + given + "; give each executor one GPU (spark.executor.resource.gpu.amount=1)");
            }
            System.setProperty("kora.cuda.device", given);
        }
        return Device.CUDA;
    }

    @Override
    public String call(String json) throws IOException {
        RunSpec run = RunSpec.parse("task", json);
        TaskContext task = TaskContext.get();
        int attempt = task == null ? 0 : task.attemptNumber();
        boolean failOnce = task != null && attempt == 0 && task.getLocalProperty(FAIL_ONCE) != null
                && Arrays.asList(task.getLocalProperty(FAIL_ONCE).split(",")).contains(run.id());
        Path dir = Files.createDirectories(Path.of(runsDir, run.id()));
        RunLog out = new RunLog(dir.resolve(LOG), "[" + run.id() + "] ");
        try (PrintStream log = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            log.printf(Locale.ROOT, "== %s: attempt %d on %s%n", run.id(), attempt + 1, host());
            try {
                Experiment e = RunExecution.execute(run, dir, device(task), new Listener(task, failOnce), log);
                return RunOutcome.done(run.id(), ResultsJson.toJson(e)).toJson();
            } catch (TrainingFailure diverged) {
                log.println("diverged: " + diverged.getMessage());
                return RunOutcome.diverged(run.id(), diverged.getMessage()).toJson();
            } catch (TaskKilledException killed) {
                log.println("killed: " + killed.reason() + "; the checkpoint is kept");
                throw killed;
            } catch (RuntimeException failed) {
                log.println("failed: " + failed);
                java.io.StringWriter trace = new java.io.StringWriter();
                failed.printStackTrace(new java.io.PrintWriter(trace));
                out.toFileOnly(trace.toString()); // Spark's executor log has the trace already
                throw new TaskFailure("run " + run.id() + " (attempt " + (attempt + 1) + "): " + failed.getMessage(), failed);
            }
        }
    }

    /** A run's failure, named so that the driver can say which run failed. */
    static final class TaskFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TaskFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Stops a killed task at the next step; throws after the first checkpoint when told to fail once. */
    private record Listener(TaskContext task, boolean failOnce) implements Trainer.Listener {
        @Override
        public void stepped(long step, double loss) {
            if (task != null && task.isInterrupted()) {
                throw new TaskKilledException("cancelled at step " + step);
            }
        }

        @Override
        public void checkpointed(long step) {
            if (failOnce) {
                throw new IllegalStateException("failure injected after the checkpoint at step " + step + " (" + FAIL_ONCE + ")");
            }
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "an unnamed host";
        }
    }

    /** Lines to the run's log file, and with a prefix to stderr, where local mode shows them and a cluster keeps them. */
    private static final class RunLog extends OutputStream {
        private final OutputStream file;
        private final String prefix;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        RunLog(Path path, String prefix) throws IOException {
            this.file = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            this.prefix = prefix;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            line.write(b);
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                line.reset();
                file.write(bytes);
                System.err.print(prefix + new String(bytes, StandardCharsets.UTF_8));
            }
        }

        synchronized void toFileOnly(String text) throws IOException {
            file.write(text.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public synchronized void flush() throws IOException {
            file.flush();
        }

        @Override
        public synchronized void close() throws IOException {
            if (line.size() > 0) {
                write('\n');
            }
            file.close();
        }
    }
}
