package dev.kora4j.report;

/**
 * One epoch of a run, the numbers the seed prints per epoch ("Epoch 1/5 -> Train Loss: …, Val Loss:
 * …, Val Accuracy: …, Val F1: …"). Use NaN for a number that was not measured; it is written as an
 * empty CSV field and as JSON null.
 *
 * @param epoch 1-based
 * @param trainLoss mean training loss over the epoch's batches
 * @param valLoss mean loss on the evaluation split after the epoch
 * @param valAccuracy accuracy on the evaluation split, a fraction
 * @param valF1 weighted F1 (scikit-learn's average='weighted') on the evaluation split
 * @param seconds wall time of the epoch, training and evaluation
 */
public record EpochMetrics(int epoch, double trainLoss, double valLoss, double valAccuracy, double valF1, double seconds) {
    public EpochMetrics {
        if (epoch < 1) {
            throw new IllegalArgumentException("epochs are numbered from 1, got " + epoch);
        }
    }
}
