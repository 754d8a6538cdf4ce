package dev.kora4j.metrics;

/**
 * What a model predicted for each evaluation image, in the data set's order: the per-image outcomes
 * every statistic of an evaluation can be recomputed from, and that two methods evaluated on the same
 * images are compared by.
 *
 * @param labels the true class of image i
 * @param predicted the predicted class of image i
 */
public record ImagePredictions(int[] labels, int[] predicted) {
    public ImagePredictions {
        if (labels.length != predicted.length) {
            throw new IllegalArgumentException(labels.length + " labels but " + predicted.length + " predictions");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || predicted[i] < 0) {
                throw new IllegalArgumentException("image " + i + ": classes are ≥ 0, got label " + labels[i] + " and prediction " + predicted[i]);
            }
        }
        labels = labels.clone();
        predicted = predicted.clone();
    }

    public int size() {
        return labels.length;
    }

    /** Whether each image was predicted right. */
    public boolean[] correct() {
        boolean[] out = new boolean[labels.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = labels[i] == predicted[i];
        }
        return out;
    }

    /** True when {@code other} scored the same images: the same number with the same true labels. */
    public boolean sameImages(ImagePredictions other) {
        return java.util.Arrays.equals(labels, other.labels);
    }

    @Override
    public int[] labels() {
        return labels.clone();
    }

    @Override
    public int[] predicted() {
        return predicted.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImagePredictions p && java.util.Arrays.equals(labels, p.labels) && java.util.Arrays.equals(predicted, p.predicted);
    }

    @Override
    public int hashCode() {
        return 31 * java.util.Arrays.hashCode(labels) + java.util.Arrays.hashCode(predicted);
    }

    @Override
    public String toString() {
        return "ImagePredictions[" + labels.length + " images]";
    }
}
