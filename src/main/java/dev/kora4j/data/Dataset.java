package dev.kora4j.data;

/**
 * An indexed set of labelled RGB images. Labels are known without decoding any image, so label
 * checks, class-balanced subsets and batch orders cost no I/O; {@link #image} decodes one item.
 * Implementations are safe to call from several threads at once (the batch loader decodes in a pool).
 */
public interface Dataset {
    /** A short description for messages and reports, e.g. the folder or file it was read from. */
    String name();

    int size();

    /** The class index of item i, in [0, numClasses). */
    int label(int i);

    int numClasses();

    /** The name of class c (a WordNet id, a CIFAR fine label name, a folder name). */
    String className(int c);

    /** Decodes item i to an RGB image with values in [0, 1]; a bad file throws InputException naming it. */
    Image image(int i);

    /** All labels, in item order. */
    default int[] labels() {
        int[] labels = new int[size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = label(i);
        }
        return labels;
    }

    /** How many items each class has, indexed by class. */
    default int[] classCounts() {
        int[] counts = new int[numClasses()];
        for (int i = 0, n = size(); i < n; i++) {
            counts[label(i)]++;
        }
        return counts;
    }

    /** A view of the given items in the given order (item j of the view is item indices[j] of this set). */
    default Dataset subset(int[] indices) {
        return new SubsetView(this, indices);
    }
}
