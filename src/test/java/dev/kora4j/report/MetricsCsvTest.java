package dev.kora4j.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kora4j.metrics.ConfusionMatrix;
import dev.kora4j.metrics.Evaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsCsvTest {
    @TempDir
    Path dir;

    /** A strict RFC 4180 reader: records end in CRLF, quoted fields may hold commas, quotes and line breaks. */
    static List<List<String>> parse(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"' && field.isEmpty()) {
                i++;
                while (true) {
                    char q = text.charAt(i++);
                    if (q == '"') {
                        if (i < text.length() && text.charAt(i) == '"') {
                            field.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        field.append(q);
                    }
                }
            } else if (c == ',') {
                row.add(field.toString());
                field.setLength(0);
                i++;
            } else if (c == '\r') {
                assertEquals('\n', text.charAt(i + 1), "records end in CRLF");
                row.add(field.toString());
                field.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
                i += 2;
            } else {
                assertTrue(c != '\n' && c != '"', "bare LF or quote outside a quoted field at " + i);
                field.append(c);
                i++;
            }
        }
        assertTrue(row.isEmpty() && field.isEmpty(), "the file ends with a CRLF");
        return rows;
    }

    @Test
    void oneRowPerEpochPerRunAfterTheHeader() throws Exception {
        Experiment e = SampleRuns.seedLike();
        Path file = dir.resolve("metrics.csv");
        MetricsCsv.write(e, file);
        List<List<String>> rows = parse(Files.readString(file));
        assertEquals("method,phase,dataset,seed,epoch,train_loss,val_loss,val_accuracy,val_f1,seconds,"
                + "val_accuracy_low,val_accuracy_high,val_f1_low,val_f1_high", String.join(",", rows.get(0)));
        assertEquals(1 + 5 + 5 + 1, rows.size(), "LoRA and KoRA source have 5 epochs, KoRA transfer 1, LoRA transfer none");
        List<String> koraLast = rows.get(10);
        assertEquals(List.of("KoRA (d_comp=4)", "source", "cifar100", "0", "5", "0.368", "0.5461", "0.8408", "0.8409", "604.5"),
                koraLast.subList(0, 10));
        // the last epoch is the final evaluation: Wilson's interval for 8408 of 10000 (statsmodels: 0.833498542987, 0.847839723723)
        assertEquals(0.833498542987, Double.parseDouble(koraLast.get(10)), 1e-12);
        assertEquals(0.847839723723, Double.parseDouble(koraLast.get(11)), 1e-12);
        var f1 = e.runs().get(1).evaluation().weightedF1Interval();
        assertEquals(List.of(Double.toString(f1.lower()), Double.toString(f1.upper())), koraLast.subList(12, 14));
        assertEquals(List.of("", "", "", ""), rows.get(9).subList(10, 14), "earlier epochs have no interval");
        assertEquals("", rows.get(4).get(6), "an unmeasured validation loss is an empty field");
        assertEquals(List.of("KoRA (d_comp=4)", "transfer", "tinyimagenet", "0", "1"), rows.get(11).subList(0, 5));
        for (List<String> r : rows) {
            assertEquals(MetricsCsv.HEADER.size(), r.size());
        }
    }

    @Test
    void quotesFieldsAsRfc4180() {
        Evaluation ev = Evaluation.of(ConfusionMatrix.of(new int[] {0, 1}, new int[] {0, 1}, 2), 0.1);
        String method = "KoRA, \"seed\"\nvariant";
        RunResult r = new RunResult(method, RunResult.Phase.SOURCE, "folder:a,b", 7, Map.of(), null,
                List.of(new EpochMetrics(1, 0.5, 0.25, 1.0, 1.0, 2.0)), ev, null, 2.0, List.of());
        String csv = MetricsCsv.toCsv(new Experiment("t", Map.of(), List.of(r), List.of()));
        assertTrue(csv.contains("\"KoRA, \"\"seed\"\"\nvariant\",source,\"folder:a,b\",7,1,0.5,0.25,1.0,1.0,2.0,"), csv);
        List<List<String>> rows = parse(csv);
        assertEquals(method, rows.get(1).get(0));
        assertEquals("folder:a,b", rows.get(1).get(2));
        assertEquals("plain", MetricsCsv.field("plain"));
    }
}
