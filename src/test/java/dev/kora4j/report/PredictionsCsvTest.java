package dev.kora4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class PredictionsCsvTest {
    @Test
    void oneRowPerImagePerRunInTheEvaluationsOrder() {
        Experiment e = SampleRuns.seedLike();
        List<List<String>> rows = MetricsCsvTest.parse(PredictionsCsv.toCsv(e));
        assertEquals(PredictionsCsv.HEADER, rows.getFirst());
        assertEquals(1 + 4 * 10000, rows.size(), "four runs of 10,000 images");
        // SampleRuns.spread: image i has label i % 100 and is right for i < correct (LoRA source: 9248)
        assertEquals(List.of("LoRA (r=8)", "source", "cifar100", "0", "9247", "47", "47"), rows.get(1 + 9247));
        assertEquals(List.of("LoRA (r=8)", "source", "cifar100", "0", "9248", "48", "49"), rows.get(1 + 9248));
        assertEquals(List.of("KoRA (d_comp=4)", "transfer", "tinyimagenet", "0", "9999", "0", "50"), rows.getLast());
    }
}
