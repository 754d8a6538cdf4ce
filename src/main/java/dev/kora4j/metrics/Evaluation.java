package dev.kora4j.metrics;

/**
 * The scores of one evaluation pass (the seed's {@code evaluate}: mean loss, accuracy, F1).
 *
 * @param samples how many samples were scored
 * @param loss mean loss as the trainer measured it (the seed averages per-batch means); NaN when not measured
 * @param accuracy fraction predicted right
 * @param weightedF1 scikit-learn's {@code f1_score(average='weighted')}, the seed's "F1"
 * @param macroF1 scikit-learn's {@code f1_score(average='macro')}
 * @param labels the label check: how many classes the true labels hold
 */
public record Evaluation(long samples, double loss, double accuracy, double weightedF1, double macroF1, LabelCollapse labels) {
    public Evaluation {
        if (samples < 0) {
            throw new IllegalArgumentException("samples must be ≥ 0, got " + samples);
        }
        if (labels == null) {
            throw new IllegalArgumentException("the label check is missing");
        }
    }

    /** The scores of a filled confusion matrix, with the loss the trainer measured (NaN if none). */
    public static Evaluation of(ConfusionMatrix cm, double loss) {
        return new Evaluation(cm.total(), loss, cm.accuracy(), cm.weightedF1(), cm.macroF1(), cm.labelCheck());
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
