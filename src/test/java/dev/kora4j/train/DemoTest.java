package dev.kora4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.data.DataSpec;
import dev.kora4j.data.Protocol;
import dev.kora4j.data.Split;
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

/** The demo, shortened (one source epoch, two seeds), on the data shipped in test-data/demo. */
@Tag("slow")
class DemoTest {
    @TempDir
    Path out;

    /** MNIST's test labels in file order, as the demo's data folder holds them. */
    private static int[] testLabels() throws Exception {
        var test = DataSpec.parse("idx:" + Path.of("test-data", "demo", "mnist")).open(Split.TEST, Protocol.CORRECTED);
        int[] labels = new int[test.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = test.label(i);
        }
        return labels;
    }

    @Test
    void runsEveryMethodAndWritesTheReport() throws Exception {
        Experiment e = Demo.run(Path.of(""), out, new Demo.Settings(1, 5, 2, 16, 0, 2), Device.CPU, new PrintStream(OutputStream.nullOutputStream()));
        assertEquals(List.of("LoRA (r=8)", "KoRA (r=8, d_comp=4)", "Seed KoRA (d_comp=4)", "Linear probe", "Full fine-tuning"), e.methods());
        assertEquals(2 * 2 * 5, e.runs().size(), "two seeds of five methods, source and transfer");
        int[] testLabels = testLabels();
        for (RunResult r : e.runs()) {
            assertTrue(r.seed() == 0 || r.seed() == 1, r.title());
            if (r.phase() == RunResult.Phase.SOURCE) {
                assertArrayEquals(testLabels, r.evaluation().predictions().labels(), "predictions are in the test split's order");
            }
            assertTrue(r.evaluation().accuracyInterval().contains(r.evaluation().accuracy()), r.title());
            assertTrue(r.evaluation().weightedF1Interval().contains(r.evaluation().weightedF1()), r.title());
        }
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
        for (String f : List.of("report.md", "results.json", "metrics.csv", "predictions.csv", "loss.png", "accuracy.png", "methods.png",
                "cka.png")) {
            assertTrue(Files.size(out.resolve(f)) > 100, f);
        }
        assertEquals(1 + 2 * 5 * (1500 + 364), Files.readAllLines(out.resolve("predictions.csv")).size(), "a row per test image per run");
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains("| Full fine-tuning | 100.00 |"), report);
        // it leads with KoRA against LoRA on each task, over the two seeds
        int verdict = report.indexOf("## Verdict\n\n- **KoRA (r=8, d_comp=4) vs LoRA (r=8), source task**: ");
        assertTrue(verdict > 0 && verdict < report.indexOf("## Source task"), report);
        assertTrue(report.contains("- **KoRA (r=8, d_comp=4) vs LoRA (r=8), transfer task**: "), report);
        assertTrue(report.contains("(mean of 2 seeds), 95 % CI ["), report);
        assertTrue(report.contains("Holm-corrected over the 10 pairs of this table"), report);
    }
}
