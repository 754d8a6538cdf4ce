package dev.kora4j.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PlotsTest {
    static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** Decodes as a PNG, has the expected size and more than a handful of colours (something was drawn). */
    static BufferedImage assertRealPng(Optional<byte[]> png, int minWidth, int minHeight) throws Exception {
        assertTrue(png.isPresent(), "a plot was drawn");
        byte[] bytes = png.get();
        assertTrue(bytes.length > 5_000, "a non-trivial PNG, got " + bytes.length + " bytes");
        byte[] head = new byte[8];
        System.arraycopy(bytes, 0, head, 0, 8);
        assertArrayEquals(PNG_SIGNATURE, head);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
        assertNotNull(image, "ImageIO decodes it");
        assertTrue(image.getWidth() >= minWidth && image.getHeight() >= minHeight, image.getWidth() + "×" + image.getHeight());
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                colours.add(image.getRGB(x, y));
            }
        }
        assertTrue(colours.size() > 20, "only " + colours.size() + " colours");
        return image;
    }

    @Test
    void drawsEveryPlotHeadless() throws Exception {
        Experiment e = SampleRuns.seedLike();
        assertRealPng(Plots.lossCurves(e.runs()), 900, 540);
        assertRealPng(Plots.accuracyCurves(e.runs()), 900, 540);
        assertRealPng(Plots.methodBars(e), 900, 540);
        BufferedImage cka = assertRealPng(Plots.ckaHeatMaps(e.runs()), 1000, 400);
        assertTrue(cka.getWidth() > cka.getHeight(), "two heat-maps side by side");
        assertTrue(GraphicsEnvironment.isHeadless());
    }

    @Test
    void oneHeatMapAlone() throws Exception {
        RunResult kora = SampleRuns.seedLike().runs().get(1);
        assertRealPng(Plots.ckaHeatMaps(List.of(kora)), 400, 400);
    }

    @Test
    void aMethodWithoutATransferRunLeavesAGap() throws Exception {
        Experiment e = SampleRuns.seedLike();
        List<RunResult> runs = new java.util.ArrayList<>(e.runs());
        runs.remove(2); // LoRA's transfer run
        assertRealPng(Plots.methodBars(new Experiment("t", Map.of(), runs, List.of())), 900, 540);
        assertEquals("0.9248", Plots.scoreLabel(0.9248));
        assertEquals("0.3", Plots.scoreLabel(0.30000000000000004));
    }

    @Test
    void nothingToDrawGivesNoPlot() {
        Experiment e = SampleRuns.seedLike();
        RunResult noEpochs = e.runs().get(2); // LoRA transfer: no epochs, no CKA
        assertEquals(Optional.empty(), Plots.lossCurves(List.of(noEpochs)));
        assertEquals(Optional.empty(), Plots.accuracyCurves(List.of()));
        assertEquals(Optional.empty(), Plots.ckaHeatMaps(List.of(noEpochs)));
        assertEquals(Optional.empty(), Plots.methodBars(new Experiment("t", Map.of(), List.of(), List.of())));
        assertTrue(Plots.methodBars(new Experiment("t", Map.of(), List.of(noEpochs), List.of())).isPresent());
    }
}
