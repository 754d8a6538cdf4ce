package dev.kora4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.report.Experiment;
import dev.kora4j.tensor.Device;
import dev.kora4j.report.RunResult;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo, shortened (one source epoch), on the data shipped in test-data/demo. */
@Tag("slow")
class DemoTest {
    @TempDir
    Path out;

    @Test
    void runsEveryMethodAndWritesTheReport() throws Exception {
        Experiment e = Demo.run(Path.of(""), out, new Demo.Settings(1, 5, 2, 16, 0), Device.CPU, new PrintStream(OutputStream.nullOutputStream()));
        assertEquals(List.of("LoRA (r=8)", "KoRA (r=8, d_comp=4)", "Seed KoRA (d_comp=4)", "Linear probe", "Full fine-tuning"), e.methods());
        for (String method : e.methods()) {
            RunResult source = e.find(method, RunResult.Phase.SOURCE), transfer = e.find(method, RunResult.Phase.TRANSFER);
            assertEquals(1500, source.evaluation().samples());
            assertEquals(364, transfer.evaluation().samples());
            // chance is 10 % on both: one source epoch (1500 test images: 0.3 is 25 standard deviations above
            // chance), and two transfer epochs of 5 shots per class (364 images: 0.15 is 3 of them)
            assertTrue(source.evaluation().accuracy() > 0.3, method + " learns MNIST, far above chance: " + source.evaluation());
            assertEquals(10, transfer.evaluation().labels().distinctLabels(), "the transfer is scored on all 10 digits, not one label");
            // Full fine-tuning's backbone gives a new head nothing to learn from in two epochs here (11.8 %
            // measured, chance within noise); every adapter's frozen backbone does.
            if (!method.equals("Full fine-tuning")) {
                assertTrue(transfer.evaluation().accuracy() > 0.15, method + " transfers above chance: " + transfer.evaluation());
            }
            assertTrue(transfer.evaluation().weightedF1() > 0 && transfer.evaluation().weightedF1() <= 1, method + ": " + transfer.evaluation());
            assertTrue(source.cka() != null && source.cka().size() == 4, "CKA over the 4 blocks");
        }
        for (String f : List.of("report.md", "results.json", "metrics.csv", "loss.png", "accuracy.png", "methods.png", "cka.png")) {
            assertTrue(Files.size(out.resolve(f)) > 100, f);
        }
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("| Full fine-tuning | 100.00 |"), report);
    }
}
