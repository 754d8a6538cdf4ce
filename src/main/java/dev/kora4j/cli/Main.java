package dev.kora4j.cli;

import dev.kora4j.backend.cpu.Parallel;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The `kora` command line: results on stdout, logs on stderr, bad input as one `error:` line (exit 2). */
// INHERIT: every subcommand answers --help, -h, --version and -V, before checking its required options
@Command(name = "kora", mixinStandardHelpOptions = true, version = "kora4j 0.1.0", scope = CommandLine.ScopeType.INHERIT,
        description = "kora4j: a pure-Java tensor engine that fine-tunes Vision Transformers with LoRA and KoRA.",
        subcommands = {DemoCommand.class, TrainCommand.class, TransferCommand.class, EvalCommand.class, CkaCommand.class,
                ParityCommand.class, InspectCommand.class, BenchCommand.class, ExampleCommand.class},
        footer = {"", "`bin/kora test` runs the test suite (through Maven, with a JDK >= 25).",
            "`bin/kora sweep` runs a grid of train + transfer runs on Apache Spark (the spark/ module; bin/kora sweep --help)."})
public final class Main implements Runnable {
    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean verbose;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "a command is required (see --help)");
    }

    /** Applies --threads (every command that computes has it). */
    static void applyThreads(Integer threads) {
        if (threads != null) {
            if (threads < 1) {
                throw new UserError("--threads must be at least 1, got " + threads);
            }
            Parallel.setThreads(threads);
        }
    }

    /** Command-line mistakes in kora's own words. */
    static String describe(CommandLine.ParameterException ex) {
        String command = ex.getCommandLine().getCommandName();
        if (ex instanceof CommandLine.UnmatchedArgumentException unmatched) {
            return command + ": unknown argument " + String.join(" ", unmatched.getUnmatched()) + " (see " + command + " --help)";
        }
        if (ex instanceof CommandLine.MissingParameterException missing) {
            return command + ": missing " + missing.getMissing().stream().map(Main::optionName).collect(java.util.stream.Collectors.joining(", "));
        }
        if (ex.getArgSpec() != null && ex.getValue() != null) {
            String type = ex.getArgSpec().type().getSimpleName().toLowerCase(java.util.Locale.ROOT);
            return command + ": " + optionName(ex.getArgSpec()) + " does not take '" + ex.getValue() + "' (expected " + article(type) + ")";
        }
        return command + ": " + ex.getMessage();
    }

    private static String optionName(CommandLine.Model.ArgSpec spec) {
        return spec instanceof CommandLine.Model.OptionSpec option ? option.longestName() : spec.paramLabel();
    }

    private static String article(String type) {
        return switch (type) {
            case "int", "integer", "long" -> "an integer";
            case "double", "float" -> "a number";
            default -> "a " + type;
        };
    }

    /**
     * A message as one line: names and values quoted from a file may hold line breaks or other
     * control characters, which are shown escaped (\\n) so that the error stays one line.
     */
    static String oneLine(String message) {
        return message == null ? "(no details)" : InspectCommand.printable(message);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        Main main = new Main();
        CommandLine cli = new CommandLine(main);
        PrintWriter err = cli.getErr();
        cli.setParameterExceptionHandler((ex, a) -> {
            err.println("error: " + oneLine(describe(ex)));
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (main.verbose) {
                ex.printStackTrace(err);
            }
            if (ex instanceof UserError || ex instanceof dev.kora4j.io.InputException) {
                err.println("error: " + oneLine(ex.getMessage()));
                return 2;
            }
            if (ex instanceof dev.kora4j.backend.DeviceMemoryException) {
                // outside a training step (which says which and keeps its checkpoint): loading a model, evaluating
                err.println("error: " + oneLine(ex.getMessage()) + "; use a smaller model or --batch, or a device with more memory");
                return 1;
            }
            if (ex instanceof dev.kora4j.train.TrainingFailure) {
                err.println("error: " + oneLine(ex.getMessage()));
                return 1;
            }
            err.println("error: internal failure (" + ex.getClass().getSimpleName() + "): " + oneLine(ex.getMessage())
                    + (main.verbose ? "" : " (run with --verbose for details)"));
            return 1;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // outside a training step (which saves what it can and says so): loading a model or data, evaluating
            err.println("error: out of memory: the Java heap's maximum is " + (Runtime.getRuntime().maxMemory() >> 20)
                    + " MiB; give the JVM more heap (KORA_JAVA_OPTS=-Xmx<size>)");
            err.flush();
            return 1;
        }
    }
}
