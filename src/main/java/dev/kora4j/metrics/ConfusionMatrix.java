package dev.kora4j.metrics;

/**
 * Counts of (true label, predicted label) pairs over {@code numClasses} classes, with the scores that
 * follow from them, computed as scikit-learn computes them.
 *
 * <p>Per class c, with tp = count(c, c), support = samples whose true label is c, predicted = samples
 * predicted as c (scikit-learn's {@code precision_recall_fscore_support}):
 *
 * <ul>
 *   <li>precision = tp / predicted, and 0 when nothing was predicted as c;
 *   <li>recall = tp / support, and 0 when c never occurs in the true labels;
 *   <li>F1 = 2·tp / (support + predicted), the form scikit-learn uses since 1.3 (equal to
 *       2·P·R/(P+R)); a class with predictions but no true samples, or true samples but no
 *       predictions, gets F1 = 0.
 * </ul>
 *
 * These zeros are scikit-learn's default {@code zero_division="warn"}, which warns and scores 0; no
 * warning is printed here.
 *
 * <p>Averages, as {@code f1_score(y_true, y_pred, average=...)} without a {@code labels} argument,
 * which takes the labels to be those that occur in y_true or y_pred:
 *
 * <ul>
 *   <li>{@link #macroF1()}: the plain mean of F1 over the classes that occur in the true <em>or</em>
 *       the predicted labels. A class that is only predicted counts, with F1 0; a class that occurs in
 *       neither is left out (it is not counted as a 0), even though it is below {@code numClasses}.
 *   <li>{@link #weightedF1()} ({@code average='weighted'}, the seed's F1): the mean of F1 weighted by
 *       support. A class that is only predicted has weight 0; its wrong predictions still lower the
 *       score, through the recall (and so the F1) of the true classes of those samples. When every true
 *       label is one class c, the weighted F1 is F1(c) = 2·acc/(1+acc) (see {@link LabelCollapse}).
 * </ul>
 *
 * With no samples every score is NaN. Not thread-safe: fill it from one thread, or merge.
 */
public final class ConfusionMatrix {
    /** Keeps {@code numClasses²} counts well inside an array. */
    public static final int MAX_CLASSES = 1 << 15;

    private final int numClasses;
    /** counts[t * numClasses + p]. */
    private final long[] counts;
    private final long[] support;
    private final long[] predicted;
    private long total;
    private long correct;

    public ConfusionMatrix(int numClasses) {
        if (numClasses < 1 || numClasses > MAX_CLASSES) {
            throw new IllegalArgumentException("number of classes must be between 1 and " + MAX_CLASSES + ", got " + numClasses);
        }
        this.numClasses = numClasses;
        this.counts = new long[numClasses * numClasses];
        this.support = new long[numClasses];
        this.predicted = new long[numClasses];
    }

    /** The matrix of one set of labels and predictions (equal lengths, each label in [0, numClasses)). */
    public static ConfusionMatrix of(int[] trueLabels, int[] predictedLabels, int numClasses) {
        ConfusionMatrix cm = new ConfusionMatrix(numClasses);
        cm.addAll(trueLabels, predictedLabels);
        return cm;
    }

    public void add(int trueLabel, int predictedLabel) {
        check("true label", trueLabel, -1);
        check("predicted label", predictedLabel, -1);
        record(trueLabel, predictedLabel);
    }

    /** Adds a batch; nothing is added when any label is out of range. */
    public void addAll(int[] trueLabels, int[] predictedLabels) {
        if (trueLabels.length != predictedLabels.length) {
            throw new IllegalArgumentException(trueLabels.length + " true labels but " + predictedLabels.length + " predictions");
        }
        for (int i = 0; i < trueLabels.length; i++) {
            check("true label", trueLabels[i], i);
            check("predicted label", predictedLabels[i], i);
        }
        for (int i = 0; i < trueLabels.length; i++) {
            record(trueLabels[i], predictedLabels[i]);
        }
    }

    /** Adds every count of another matrix over the same classes (e.g. one filled per worker). */
    public void merge(ConfusionMatrix other) {
        if (other.numClasses != numClasses) {
            throw new IllegalArgumentException("cannot merge a confusion matrix of " + other.numClasses + " classes into one of " + numClasses);
        }
        for (int i = 0; i < counts.length; i++) {
            counts[i] += other.counts[i];
        }
        for (int c = 0; c < numClasses; c++) {
            support[c] += other.support[c];
            predicted[c] += other.predicted[c];
        }
        total += other.total;
        correct += other.correct;
    }

    private void check(String what, int label, int index) {
        if (label < 0 || label >= numClasses) {
            throw new IllegalArgumentException(what + " " + label + (index >= 0 ? " at index " + index : "")
                    + " is outside [0, " + numClasses + ")");
        }
    }

    private void record(int t, int p) {
        counts[t * numClasses + p]++;
        support[t]++;
        predicted[p]++;
        total++;
        if (t == p) {
            correct++;
        }
    }

    public int numClasses() {
        return numClasses;
    }

    /** Number of samples counted. */
    public long total() {
        return total;
    }

    public long correct() {
        return correct;
    }

    /** Samples with true label {@code t} predicted as {@code p}. */
    public long count(int t, int p) {
        check("true label", t, -1);
        check("predicted label", p, -1);
        return counts[t * numClasses + p];
    }

    /** Samples whose true label is {@code c}. */
    public long support(int c) {
        check("class", c, -1);
        return support[c];
    }

    /** Samples predicted as {@code c}. */
    public long predicted(int c) {
        check("class", c, -1);
        return predicted[c];
    }

    /** Whether class {@code c} occurs in the true or the predicted labels (scikit-learn's default label set). */
    public boolean occurs(int c) {
        return support(c) > 0 || predicted[c] > 0;
    }

    /** Fraction of samples predicted right; NaN with no samples. */
    public double accuracy() {
        return total == 0 ? Double.NaN : (double) correct / total;
    }

    /** tp / predicted; 0 when nothing was predicted as c (scikit-learn's zero_division default). */
    public double precision(int c) {
        long tp = count(c, c);
        return predicted[c] == 0 ? 0.0 : (double) tp / predicted[c];
    }

    /** tp / support; 0 when c has no true samples. */
    public double recall(int c) {
        long tp = count(c, c);
        return support[c] == 0 ? 0.0 : (double) tp / support[c];
    }

    /** 2·tp / (support + predicted); 0 when c occurs nowhere. */
    public double f1(int c) {
        long tp = count(c, c);
        long denominator = support[c] + predicted[c];
        return denominator == 0 ? 0.0 : 2.0 * tp / denominator;
    }

    /** {@code f1_score(average='macro')}: the mean F1 over the classes that occur in the true or predicted labels. */
    public double macroF1() {
        if (total == 0) {
            return Double.NaN;
        }
        double sum = 0;
        int classes = 0;
        for (int c = 0; c < numClasses; c++) {
            if (occurs(c)) {
                sum += f1(c);
                classes++;
            }
        }
        return sum / classes;
    }

    /** {@code f1_score(average='weighted')}: F1 averaged with the true-label counts as weights. */
    public double weightedF1() {
        if (total == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (int c = 0; c < numClasses; c++) {
            if (support[c] > 0) {
                sum += f1(c) * support[c];
            }
        }
        return sum / total;
    }

    /** How many classes the true labels hold, and which one when it is only one. */
    public LabelCollapse labelCheck() {
        int distinct = 0;
        int only = -1;
        for (int c = 0; c < numClasses; c++) {
            if (support[c] > 0) {
                distinct++;
                only = c;
            }
        }
        return new LabelCollapse(distinct, distinct == 1 ? only : -1);
    }
}
