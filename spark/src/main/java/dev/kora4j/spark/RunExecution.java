package dev.kora4j.spark;

import dev.kora4j.data.DataSpec;
import dev.kora4j.data.Preprocess;
import dev.kora4j.data.Protocol;
import dev.kora4j.io.AtomicWrite;
import dev.kora4j.io.InputException;
import dev.kora4j.metrics.CkaMatrix;
import dev.kora4j.peft.PeftModel;
import dev.kora4j.report.Experiment;
import dev.kora4j.report.ResultsJson;
import dev.kora4j.report.RunResult;
import dev.kora4j.tensor.Device;
import dev.kora4j.train.CkaProbe;
import dev.kora4j.train.Runs;
import dev.kora4j.train.SourceRun;
import dev.kora4j.train.Trainer;
import dev.kora4j.train.TransferRun;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run in its folder, as a Spark task performs it but without Spark: `kora train` into
 * source/, CKA between its blocks, `kora transfer` into transfer/, then results.json, written last,
 * which marks the run finished. Each phase resumes from its checkpoint and a finished phase
 * (its own results.json) is read back rather than redone, so running this again after a failure
 * at any point gives exactly the uninterrupted results.
 */
final class RunExecution {
    static final String MARKER = ResultsJson.FILE_NAME;
    static final String SOURCE = "source";
    static final String TRANSFER = "transfer";
    static final String ADAPTER = "adapter_config.json";

    private RunExecution() {}

    static Experiment execute(RunSpec run, Path dir, Device device, Trainer.Listener listener, PrintStream log) {
        Path marker = dir.resolve(MARKER);
        if (Files.exists(marker)) {
            requireSame(run, dir);
            log.println("finished earlier: " + marker);
            return ResultsJson.read(marker);
        }
        claim(run, dir);
        Path adapter = dir.resolve(ADAPTER);
        write(adapter, run.adapterConfig());
        DataSpec source = DataSpec.parse(run.sourceData());
        Protocol protocol = Protocol.parse(run.sourceProtocol());
        Path sourceDir = dir.resolve(SOURCE);
        RunResult trained = finished(sourceDir, log);
        if (trained == null) {
            trained = SourceRun.run(new SourceRun.Request(Path.of(run.model()), run.weights().isEmpty() ? null : Path.of(run.weights()),
                    adapter, source, protocol, run.sourceOptions(), sourceDir, true, device), log, listener);
        }
        if (run.ckaImages() > 0) {
            PeftModel model = Runs.load(sourceDir, device);
            CkaProbe.Result cka = CkaProbe.measure(model, source.open(source.evalSplit(), protocol),
                    Preprocess.named(source.preprocessName(protocol), model.vit().config().imgSize()), run.ckaImages());
            trained = withCka(trained, cka.classToken());
        }
        List<RunResult> results = new ArrayList<>(List.of(trained));
        if (run.transfer() != null) {
            RunSpec.Transfer t = run.transfer();
            Path transferDir = dir.resolve(TRANSFER);
            RunResult moved = finished(transferDir, log);
            if (moved == null) {
                moved = TransferRun.run(new TransferRun.Request(sourceDir, DataSpec.parse(t.data()), t.shots(), Protocol.parse(t.protocol()),
                        t.options(), transferDir, true, device), log, listener);
            }
            results.add(moved);
        }
        Experiment e = new Experiment(run.label() + ", seed " + run.seed(), settings(run), results, List.of());
        try {
            ResultsJson.write(e, marker);
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write " + marker, ex);
        }
        log.println("finished: " + marker);
        return e;
    }

    /** The run's description in its folder: written by the first attempt, checked by every later one. */
    static void claim(RunSpec run, Path dir) {
        if (Files.exists(dir.resolve(RunSpec.FILE))) {
            requireSame(run, dir);
        } else {
            write(dir.resolve(RunSpec.FILE), run.toJson());
        }
    }

    /** A folder holding a run with other settings is never continued or reused: its numbers would be another run's. */
    static void requireSame(RunSpec run, Path dir) {
        Path file = dir.resolve(RunSpec.FILE);
        RunSpec before;
        try {
            before = RunSpec.parse(file.toString(), Files.readString(file));
        } catch (IOException e) {
            throw new InputException(file + ": cannot be read (" + e.getMessage() + ")");
        }
        if (!before.computed().equals(run.computed())) {
            List<String> differ = new ArrayList<>();
            before.computed().properties().forEach(p -> {
                if (!p.getValue().equals(run.computed().get(p.getKey()))) {
                    differ.add(p.getKey());
                }
            });
            throw new InputException(dir + ": holds run " + before.id() + " with other settings (" + String.join(", ", differ)
                    + "); a sweep continues only its own runs: use another --out, or remove that folder to start it again");
        }
    }

    /** A phase's result when it finished earlier (its results.json), else null. */
    private static RunResult finished(Path phaseDir, PrintStream log) {
        Path results = phaseDir.resolve(ResultsJson.FILE_NAME);
        if (!Files.exists(results)) {
            return null;
        }
        log.println("finished earlier: " + results);
        return ResultsJson.read(results).runs().getFirst();
    }

    private static RunResult withCka(RunResult r, CkaMatrix cka) {
        return new RunResult(r.method(), r.phase(), r.dataset(), r.seed(), r.config(), r.params(), r.epochs(), r.evaluation(), cka,
                r.seconds(), r.warnings());
    }

    private static Map<String, String> settings(RunSpec run) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("run", run.id());
        s.put("configuration", run.configuration());
        run.grid().forEach(s::put);
        s.put("seed", String.valueOf(run.seed()));
        return s;
    }

    private static void write(Path file, String text) {
        try {
            AtomicWrite.write(file, text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
