package dev.kora4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.kora4j.backend.cuda.CudaContext;
import dev.kora4j.report.Experiment;
import dev.kora4j.report.ResultsJson;
import dev.kora4j.report.RunResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sweep with --device cuda: Spark gives each task a GPU (the CUDA stand-in's device 0 where no
 * GPU is present) and the run computes there, to the cpu sweep's numbers.
 */
@Tag("gpu")
class CudaSweepTest {
    @TempDir
    Path tmp;

    private Sweep.Result sweep(Path spec, String device) throws Exception {
        Sweep.Options o = new Sweep.Options("local[1]", device, null, Map.of("spark.ui.enabled", "false"), List.of());
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (PrintStream p = new PrintStream(log, true, StandardCharsets.UTF_8)) {
            return Sweep.run(SweepSpec.read(spec), tmp.resolve(device), o, p);
        } finally {
            System.err.print(log.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aSweepOnCudaGivesTheCpuSweepsNumbers() throws Exception {
        Assumptions.assumeTrue(CudaContext.available(), "no cuda device (nor the stand-in)");
        Path spec = DemoData.sweepSpec(tmp);
        String oneRun = Files.readString(spec).replace("\"seeds\": [0, 1]", "\"seeds\": [0]")
                .replaceAll("\"method\": \\[\"[^\"]*\", ", "\"method\": [");
        Files.writeString(spec, oneRun); // KoRA, seed 0
        Sweep.Result cpu = sweep(spec, "cpu"), cuda = sweep(spec, "cuda");
        assertEquals(Map.of(), cuda.failedAttempts());
        assertEquals(1, cuda.runs().size());
        String id = cuda.runs().getFirst().id();
        Experiment onCpu = ResultsJson.read(tmp.resolve("cpu/runs").resolve(id).resolve("results.json"));
        Experiment onCuda = ResultsJson.read(tmp.resolve("cuda/runs").resolve(id).resolve("results.json"));
        for (RunResult.Phase phase : RunResult.Phase.values()) {
            RunResult a = onCpu.runs(phase).getFirst(), b = onCuda.runs(phase).getFirst();
            assertEquals(a.evaluation().accuracy(), b.evaluation().accuracy(), 1e-3, phase + " accuracy");
            assertEquals(a.evaluation().loss(), b.evaluation().loss(), 1e-4 * a.evaluation().loss(), phase + " loss");
        }
        // the device adds in other orders than the cpu: the same bits would mean the run never reached it
        assertNotEquals(onCpu.runs(RunResult.Phase.SOURCE).getFirst().evaluation().loss(),
                onCuda.runs(RunResult.Phase.SOURCE).getFirst().evaluation().loss(), "source loss, to the bit");
    }
}
