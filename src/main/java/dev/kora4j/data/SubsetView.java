package dev.kora4j.data;

import java.util.Arrays;

/** A dataset that shows some items of another, in a chosen order, with the same classes. */
final class SubsetView implements Dataset {
    private final Dataset base;
    private final int[] indices;

    SubsetView(Dataset base, int[] indices) {
        int n = base.size();
        for (int j = 0; j < indices.length; j++) {
            if (indices[j] < 0 || indices[j] >= n) {
                throw new IndexOutOfBoundsException("subset entry " + j + " is item " + indices[j] + ", but " + base.name() + " has " + n + " items");
            }
        }
        this.base = base;
        this.indices = Arrays.copyOf(indices, indices.length);
    }

    @Override
    public String name() {
        return base.name() + " (" + indices.length + " of " + base.size() + " items)";
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public int label(int i) {
        return base.label(indices[i]);
    }

    @Override
    public int numClasses() {
        return base.numClasses();
    }

    @Override
    public String className(int c) {
        return base.className(c);
    }

    @Override
    public Image image(int i) {
        return base.image(indices[i]);
    }
}
