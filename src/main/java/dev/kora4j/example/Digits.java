package dev.kora4j.example;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** The scikit-learn digits data (1,797 images of 8×8 pixel counts 0..16, labels 0..9), carried in the jar. */
public record Digits(float[][] images, int[] labels) {
    public static final int PIXELS = 64;
    public static final int CLASSES = 10;
    private static final String RESOURCE = "digits.csv.gz";

    /** Loads the copy packaged with kora4j (from test-data/digits). */
    public static Digits load() {
        try (InputStream in = Digits.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the digits data (" + RESOURCE + ") is missing from the jar");
            }
            return parse(new GZIPInputStream(in), RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** Parses lines of 64 pixel values and a label, separated by commas. */
    static Digits parse(InputStream in, String source) throws IOException {
        List<float[]> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
        int lineNo = 0;
        for (String line; (line = reader.readLine()) != null; ) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.split(",");
            if (fields.length != PIXELS + 1) {
                throw new IllegalArgumentException(source + " line " + lineNo + ": expected " + (PIXELS + 1) + " values, found " + fields.length);
            }
            float[] image = new float[PIXELS];
            for (int i = 0; i < PIXELS; i++) {
                image[i] = Float.parseFloat(fields[i]);
            }
            int label = (int) Float.parseFloat(fields[PIXELS]);
            if (label < 0 || label >= CLASSES) {
                throw new IllegalArgumentException(source + " line " + lineNo + ": label " + label + " is not a digit");
            }
            images.add(image);
            labels.add(label);
        }
        return new Digits(images.toArray(float[][]::new), labels.stream().mapToInt(Integer::intValue).toArray());
    }

    public int size() {
        return labels.length;
    }
}
