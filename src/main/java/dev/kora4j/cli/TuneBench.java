package dev.kora4j.cli;

import dev.kora4j.backend.cpu.CpuTuning;
import dev.kora4j.backend.cpu.GemmTuner;
import dev.kora4j.backend.cpu.Parallel;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * `kora bench tune`: chooses the cpu GEMM blocking for this machine by measurement (what any other
 * command does once on first use), prints each candidate's GFLOP/s and the choice, and keeps it in
 * the tuning cache.
 */
@Command(name = "tune", description = "Choose the cpu GEMM blocking for this machine: each candidate's GFLOP/s, the choice, the cache file.")
final class TuneBench implements Runnable {
    @Option(names = "--threads", description = "Worker threads to tune for (default: all cores).") Integer threads;
    @Option(names = "--show", description = "Print the cached choice without measuring.") boolean show;
    @Option(names = "--reset", description = "Delete this machine's cached choice (the next run tunes again).") boolean reset;

    @Override
    public void run() {
        if (show && reset) {
            throw new UserError("--show and --reset: give one of them");
        }
        Main.applyThreads(threads);
        if (reset) {
            boolean had = CpuTuning.reset();
            System.err.println((had ? "deleted " : "nothing to delete: no ") + CpuTuning.cacheFile());
            return;
        }
        if (show) {
            CpuTuning.Choice choice = CpuTuning.cached()
                    .orElseThrow(() -> new UserError("no tuning is cached for " + CpuTuning.machine() + " in "
                            + CpuTuning.cacheFile() + "; run kora bench tune"));
            print(choice);
            return;
        }
        print(CpuTuning.tune(TuneBench::printCandidate));
    }

    private static void printCandidate(GemmTuner.Score score) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bench", "tune");
        out.put("candidate", score.params().toString());
        out.put("gflops_geomean", round(score.geomean()));
        Map<String, Object> shapes = new LinkedHashMap<>();
        score.gflops().forEach((shape, g) -> shapes.put(shape, round(g)));
        out.put("gflops", shapes);
        BenchCommand.printJson(out);
    }

    private static void print(CpuTuning.Choice choice) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bench", "tune");
        out.put("machine", choice.machine());
        out.put("threads", Parallel.threads());
        out.put("chosen", choice.gemm().toString());
        out.put("chosen_gflops_geomean", round(choice.chosenGflops()));
        out.put("defaults_gflops_geomean", round(choice.defaultsGflops()));
        out.put("peak_gflops", round(choice.peakGflops()));
        out.put("candidates", choice.candidates());
        out.put("cache", CpuTuning.cacheFile().toString());
        BenchCommand.printJson(out);
    }

    private static double round(double x) {
        return Math.round(x * 10) / 10.0;
    }
}
