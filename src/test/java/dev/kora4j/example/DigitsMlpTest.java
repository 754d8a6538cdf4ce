package dev.kora4j.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DigitsMlpTest {
    @Test
    void theDataIsAllThere() {
        Digits data = Digits.load();
        assertEquals(1797, data.size());
        int[] perClass = new int[10];
        for (int label : data.labels()) {
            perClass[label]++;
        }
        for (int count : perClass) {
            assertTrue(count >= 170 && count <= 190, "about 180 images per digit, got " + count);
        }
    }

    @Test
    void trainsToAtLeast95PercentTestAccuracy() {
        double accuracy = DigitsMlp.trainAndTest(Digits.load(), DigitsMlp.Config.defaults(), new PrintStream(OutputStream.nullOutputStream()));
        assertTrue(accuracy >= 0.95, "test accuracy " + accuracy);
    }

    @Test
    void aMalformedLineIsReportedWithItsNumber() {
        var in = new ByteArrayInputStream("1,2,3\n".getBytes(StandardCharsets.US_ASCII));
        var e = assertThrows(IllegalArgumentException.class, () -> Digits.parse(in, "digits.csv"));
        assertTrue(e.getMessage().startsWith("digits.csv line 1: expected 65 values"), e.getMessage());
    }
}
