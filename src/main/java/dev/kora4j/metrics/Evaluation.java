package dev.kora4j.metrics;

import dev.kora4j.stats.Bootstrap;
import dev.kora4j.stats.Interval;
import dev.kora4j.stats.Wilson;

/**
 * The scores of one evaluation pass (the seed's {@code evaluate}: mean loss, accuracy, F1), how sure
 * they are, and the per-image predictions they come from.
 *
 * @param samples how many samples were scored
 * @param loss mean loss as the trainer measured it (the seed averages per-batch means); NaN when not measured
 * @param accuracy fraction predicted right
 * @param weightedF1 scikit-learn's {@code f1_score(average='weighted')}, the seed's "F1"
 * @param macroF1 scikit-learn's {@code f1_score(average='macro')}
 * @param labels the label check: how many classes the true labels hold
 * @param weightedF1Interval the {@value #CONFIDENCE} interval of the weighted F1 over the test images
 *     (a percentile bootstrap of the images: F1 is not a mean over images, so it has no closed form as
 *     accuracy has); null when not known (results written before it was measured)
 * @param predictions every image's label and prediction; null when not kept
 */
public record Evaluation(long samples, double loss, double accuracy, double weightedF1, double macroF1, LabelCollapse labels,
                         Interval weightedF1Interval, ImagePredictions predictions) {
    /** The confidence of every interval the reports give. */
    public static final double CONFIDENCE = 0.95;
    /** The F1 bootstrap's resamples and seed: fixed, so the same predictions give the same interval on every run. */
    public static final int F1_REPLICATES = 2000;
    public static final long F1_SEED = 0;

    public Evaluation {
        if (samples < 0) {
            throw new IllegalArgumentException("samples must be ≥ 0, got " + samples);
        }
        if (labels == null) {
            throw new IllegalArgumentException("the label check is missing");
        }
        if (predictions != null && predictions.size() != samples) {
            throw new IllegalArgumentException(samples + " samples but " + predictions.size() + " predictions");
        }
    }

    /** Scores without intervals or predictions. */
    public Evaluation(long samples, double loss, double accuracy, double weightedF1, double macroF1, LabelCollapse labels) {
        this(samples, loss, accuracy, weightedF1, macroF1, labels, null, null);
    }

    /** The scores of a filled confusion matrix, with the loss the trainer measured (NaN if none); no per-image data. */
    public static Evaluation of(ConfusionMatrix cm, double loss) {
        return new Evaluation(cm.total(), loss, cm.accuracy(), cm.weightedF1(), cm.macroF1(), cm.labelCheck());
    }

    /** Every score of these predictions over {@code numClasses} classes, with the F1's bootstrap interval, and the predictions. */
    public static Evaluation of(ImagePredictions p, int numClasses, double loss) {
        ConfusionMatrix cm = ConfusionMatrix.of(p.labels(), p.predicted(), numClasses);
        Interval f1 = p.size() == 0 ? null : Bootstrap.weightedF1(p.labels(), p.predicted(), numClasses, F1_REPLICATES, F1_SEED, CONFIDENCE, 1);
        return new Evaluation(cm.total(), loss, cm.accuracy(), cm.weightedF1(), cm.macroF1(), cm.labelCheck(), f1, p);
    }

    /** How many samples were predicted right. */
    public long correct() {
        return Math.round(accuracy * samples);
    }

    /** Wilson's {@value #CONFIDENCE} interval of the accuracy over the test images; null with no samples or no accuracy. */
    public Interval accuracyInterval() {
        return samples == 0 || !Double.isFinite(accuracy) ? null : Wilson.interval(correct(), samples, CONFIDENCE);
    }

    /** 2·acc/(1+acc): what the weighted F1 must be when every true label is one class. */
    public double identityF1() {
        return LabelCollapse.identityF1(accuracy);
    }

    /** True when every true label is one class and the weighted F1 shows the identity F1 = 2·acc/(1+acc). */
    public boolean showsCollapseIdentity() {
        return labels.collapsed() && LabelCollapse.identityHolds(accuracy, weightedF1);
    }
}
