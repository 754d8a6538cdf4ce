package dev.kora4j.data;

import dev.kora4j.io.InputException;
import dev.kora4j.tensor.Rng;
import java.util.Arrays;

/** Choices of items: class-balanced k-shot subsets, seeded shuffles and the seed's "first N". Results index the given dataset. */
public final class Subsets {
    private Subsets() {}

    /**
     * k items of every class, chosen at random from that class; ordered by class, then by index.
     * A class with fewer than k items is an error that names it.
     */
    public static int[] kShot(Dataset ds, int k, Rng rng) {
        if (k <= 0) {
            throw new IllegalArgumentException("k must be positive, got " + k);
        }
        int[][] byClass = indicesByClass(ds);
        int[] out = new int[k * byClass.length];
        for (int c = 0; c < byClass.length; c++) {
            int[] members = byClass[c];
            if (members.length < k) {
                throw new InputException(ds.name() + ": class " + c + " (\"" + ds.className(c) + "\") has " + members.length
                        + " images, fewer than the " + k + " per class asked for");
            }
            // Draw a permutation for every class, in class order, so each class's choice depends only on the seed.
            int[] perm = rng.permutation(members.length);
            int[] chosen = new int[k];
            for (int j = 0; j < k; j++) {
                chosen[j] = members[perm[j]];
            }
            Arrays.sort(chosen);
            System.arraycopy(chosen, 0, out, c * k, k);
        }
        return out;
    }

    /** 0..n-1 in a seeded random order. */
    public static int[] shuffled(int n, Rng rng) {
        return rng.permutation(n);
    }

    /** The given indices in a seeded random order (a new array). */
    public static int[] shuffled(int[] indices, Rng rng) {
        int[] perm = rng.permutation(indices.length);
        int[] out = new int[indices.length];
        for (int j = 0; j < out.length; j++) {
            out[j] = indices[perm[j]];
        }
        return out;
    }

    /** The first n items, as the seed notebook's Subset(dataset, range(n)) took them. */
    public static int[] first(Dataset ds, int n) {
        if (n < 0 || n > ds.size()) {
            throw new InputException(ds.name() + ": asked for the first " + n + " items of " + ds.size());
        }
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }

    /** The item indices of each class, in index order. */
    public static int[][] indicesByClass(Dataset ds) {
        int[] counts = ds.classCounts();
        int[][] out = new int[counts.length][];
        for (int c = 0; c < counts.length; c++) {
            out[c] = new int[counts[c]];
        }
        int[] fill = new int[counts.length];
        for (int i = 0, n = ds.size(); i < n; i++) {
            int c = ds.label(i);
            out[c][fill[c]++] = i;
        }
        return out;
    }
}
