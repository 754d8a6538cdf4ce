package dev.kora4j.data;

import dev.kora4j.io.InputException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory dataset for loader and subset tests: item i is a side × side image whose pixel
 * (c, y, x) holds i·1000 + c·100 + y·side + x, so any crop or flip shows where it came from.
 */
class FakeDataset implements Dataset {
    final int[] labels;
    final int numClasses;
    final int side;
    final AtomicInteger decoded = new AtomicInteger();
    int failAt = -1;
    boolean jitter;

    FakeDataset(int[] labels, int numClasses, int side) {
        this.labels = labels;
        this.numClasses = numClasses;
        this.side = side;
    }

    /** n items with labels i mod classes. */
    static FakeDataset cyclic(int n, int classes, int side) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
        }
        return new FakeDataset(labels, classes, side);
    }

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public int size() {
        return labels.length;
    }

    @Override
    public int label(int i) {
        return labels[i];
    }

    @Override
    public int numClasses() {
        return numClasses;
    }

    @Override
    public String className(int c) {
        return "class" + c;
    }

    @Override
    public Image image(int i) {
        decoded.incrementAndGet();
        if (i == failAt) {
            throw new InputException("fake/item" + i + ".jpg: truncated JPEG (the data ends before the image does)");
        }
        if (jitter) {
            try {
                Thread.sleep((i * 7L) % 5); // uneven decode times, so workers finish out of order
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Image img = Image.blank(side, side);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < side; y++) {
                for (int x = 0; x < side; x++) {
                    img.data()[(c * side + y) * side + x] = i * 1000 + c * 100 + y * side + x;
                }
            }
        }
        return img;
    }
}
