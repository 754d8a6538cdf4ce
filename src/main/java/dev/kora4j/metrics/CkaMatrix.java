package dev.kora4j.metrics;

import java.util.Arrays;
import java.util.List;

/**
 * Linear CKA between every pair of a list of feature sets, e.g. the class token after blocks 0, 6 and
 * 11 as in the seed (§5.5). Symmetric, with 1 on the diagonal (NaN where a feature set is constant).
 *
 * @param labels one name per feature set, e.g. "Block 0"
 * @param values values[i][j] = CKA(features i, features j); square, labels.size() on each side
 */
public record CkaMatrix(List<String> labels, double[][] values) {
    public CkaMatrix {
        labels = List.copyOf(labels);
        if (values.length != labels.size()) {
            throw new IllegalArgumentException(labels.size() + " labels but " + values.length + " rows of CKA values");
        }
        double[][] copy = new double[values.length][];
        for (int i = 0; i < values.length; i++) {
            if (values[i].length != labels.size()) {
                throw new IllegalArgumentException("row " + i + " of the CKA matrix has " + values[i].length
                        + " values, expected " + labels.size());
            }
            copy[i] = values[i].clone();
        }
        values = copy;
    }

    public int size() {
        return labels.size();
    }

    public double get(int i, int j) {
        return values[i][j];
    }

    /** A copy of the values (the record's own array is never handed out). */
    @Override
    public double[][] values() {
        double[][] copy = new double[values.length][];
        for (int i = 0; i < values.length; i++) {
            copy[i] = values[i].clone();
        }
        return copy;
    }

    /**
     * The one number a results table shows: CKA between the last two feature sets. With the seed's
     * blocks 0, 6, 11 that is block 6 vs block 11, the value its README lists as "CKA Sim.".
     * NaN with fewer than two feature sets.
     */
    public double summary() {
        int n = size();
        return n < 2 ? Double.NaN : values[n - 2][n - 1];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CkaMatrix other && labels.equals(other.labels) && Arrays.deepEquals(values, other.values);
    }

    @Override
    public int hashCode() {
        return 31 * labels.hashCode() + Arrays.deepHashCode(values);
    }

    @Override
    public String toString() {
        return "CkaMatrix[labels=" + labels + ", values=" + Arrays.deepToString(values) + "]";
    }
}
