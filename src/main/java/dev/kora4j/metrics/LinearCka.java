package dev.kora4j.metrics;

import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Linear centred kernel alignment (Kornblith et al., 2019) with the biased HSIC estimator, as the seed
 * computes it (§5.5):
 *
 * <pre>
 *   CKA(X, Y) = ‖Yᵀ X‖_F² / (‖Xᵀ X‖_F · ‖Yᵀ Y‖_F)
 * </pre>
 *
 * for X [n, p] and Y [n, q] (the same n examples in the same order) after each column is centred to
 * mean 0. This equals the Gram-matrix form the seed uses, Σ K̃∘L̃ / (‖K̃‖_F‖L̃‖_F) with K̃ = H X Xᵀ H,
 * because ‖YᵀX‖_F² = tr(XXᵀ YYᵀ) and centring the columns is the same as H·X.
 *
 * <p>Properties: CKA(X, X) = 1, CKA(X, Y) = CKA(Y, X), 0 ≤ CKA ≤ 1, and CKA is unchanged by scaling X
 * by a non-zero number, by X·Q for an orthogonal Q, and by adding a constant to a column.
 *
 * <p>Everything is computed in double. Each pair is computed through whichever is smaller, the p×q
 * feature products or the n×n Gram matrices. A feature set that is constant over the n examples
 * (including n = 1) has no variance to align and gives NaN, as 0/0 does in the seed.
 */
public final class LinearCka {
    private LinearCka() {}

    /** CKA between two feature matrices, given as n rows each. */
    public static double cka(double[][] x, double[][] y) {
        Centred a = Centred.of("x", x);
        Centred b = Centred.of("y", y);
        if (a.n != b.n) {
            throw new IllegalArgumentException("x has " + a.n + " rows but y has " + b.n + "; CKA compares the same examples");
        }
        return ckaOf(a, b);
    }

    /** CKA between two tensors [n, ...] (everything after the first dimension is one feature row). */
    public static double cka(Tensor x, Tensor y) {
        return cka(features(x), features(y));
    }

    /**
     * CKA between every pair of feature sets (all with the same n rows), e.g. the class token after
     * several blocks.
     */
    public static CkaMatrix matrix(List<String> labels, List<double[][]> features) {
        if (labels.size() != features.size()) {
            throw new IllegalArgumentException(labels.size() + " labels but " + features.size() + " feature sets");
        }
        List<Centred> centred = new ArrayList<>();
        for (int i = 0; i < features.size(); i++) {
            Centred c = Centred.of(labels.get(i), features.get(i));
            if (!centred.isEmpty() && c.n != centred.get(0).n) {
                throw new IllegalArgumentException(labels.get(i) + " has " + c.n + " rows but " + labels.get(0) + " has "
                        + centred.get(0).n + "; CKA compares the same examples");
            }
            centred.add(c);
        }
        int k = centred.size();
        double[][] values = new double[k][k];
        for (int i = 0; i < k; i++) {
            for (int j = i; j < k; j++) {
                values[i][j] = values[j][i] = (i == j) ? selfCka(centred.get(i)) : ckaOf(centred.get(i), centred.get(j));
            }
        }
        return new CkaMatrix(labels, values);
    }

    /** A tensor [n, d1, d2, ...] as n rows of d1·d2·… doubles (on any device; gradients are not tracked). */
    public static double[][] features(Tensor t) {
        if (t.rank() < 1) {
            throw new IllegalArgumentException("features need at least one dimension (the examples), got a scalar");
        }
        Tensor host = t.device() == Device.CUDA ? t.detach().to(Device.CPU) : t;
        double[] flat = host.toDoubleArray();
        int n = t.size(0);
        int d = n == 0 ? 0 : flat.length / n;
        double[][] rows = new double[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(flat, i * d, rows[i], 0, d);
        }
        return rows;
    }

    private static double selfCka(Centred x) {
        double norm = x.selfNorm();
        return norm > 0 ? 1.0 : Double.NaN;
    }

    private static double ckaOf(Centred x, Centred y) {
        double denominator = x.selfNorm() * y.selfNorm();
        if (!(denominator > 0)) {
            return Double.NaN;
        }
        return cross(x, y) / denominator;
    }

    /** ‖Yᵀ X‖_F² through the cheaper route. */
    static double cross(Centred x, Centred y) {
        long n = x.n;
        long viaGram = (x.gram == null ? n * n * x.p : 0) + (y.gram == null ? n * n * y.p : 0) + n * n;
        long viaFeatures = n * x.p * y.p;
        return viaGram < viaFeatures ? crossByGram(x, y) : crossByFeatures(x, y);
    }

    /** Σ_{a,b} (Σ_i X[i,a] Y[i,b])². */
    static double crossByFeatures(Centred x, Centred y) {
        int n = x.n, p = x.p, q = y.p;
        double[] m = new double[p * q];
        for (int i = 0; i < n; i++) {
            int xi = i * p, yi = i * q;
            for (int a = 0; a < p; a++) {
                double xa = x.data[xi + a];
                if (xa == 0) {
                    continue;
                }
                int row = a * q;
                for (int b = 0; b < q; b++) {
                    m[row + b] += xa * y.data[yi + b];
                }
            }
        }
        return sumOfSquares(m);
    }

    /** Σ_{i,j} K[i,j] L[i,j] with K = X Xᵀ and L = Y Yᵀ (already doubly centred, as the columns are). */
    static double crossByGram(Centred x, Centred y) {
        double[] k = x.gram(), l = y.gram();
        double sum = 0;
        for (int i = 0; i < k.length; i++) {
            sum += k[i] * l[i];
        }
        return sum;
    }

    private static double sumOfSquares(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v * v;
        }
        return sum;
    }

    /** A feature matrix with its columns centred, row-major, and what is computed from it once. */
    static final class Centred {
        final int n;
        final int p;
        final double[] data;
        private double[] gram;
        private double selfNorm = -1;

        private Centred(int n, int p, double[] data) {
            this.n = n;
            this.p = p;
            this.data = data;
        }

        static Centred of(String name, double[][] rows) {
            int n = rows.length;
            if (n == 0) {
                throw new IllegalArgumentException(name + ": CKA needs at least one example, got none");
            }
            int p = rows[0].length;
            if (p == 0) {
                throw new IllegalArgumentException(name + ": feature rows are empty");
            }
            if ((long) n * p > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(name + ": " + n + " × " + p + " features are too many for one array");
            }
            double[] data = new double[n * p];
            double[] mean = new double[p];
            for (int i = 0; i < n; i++) {
                if (rows[i].length != p) {
                    throw new IllegalArgumentException(name + ": row " + i + " has " + rows[i].length + " features, row 0 has " + p);
                }
                System.arraycopy(rows[i], 0, data, i * p, p);
                for (int a = 0; a < p; a++) {
                    mean[a] += rows[i][a];
                }
            }
            for (int a = 0; a < p; a++) {
                mean[a] /= n;
            }
            for (int i = 0; i < n; i++) {
                for (int a = 0; a < p; a++) {
                    data[i * p + a] -= mean[a];
                }
            }
            return new Centred(n, p, data);
        }

        /** X Xᵀ, n × n, row-major. */
        double[] gram() {
            if (gram == null) {
                double[] g = new double[n * n];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j <= i; j++) {
                        double s = 0;
                        for (int a = 0; a < p; a++) {
                            s += data[i * p + a] * data[j * p + a];
                        }
                        g[i * n + j] = g[j * n + i] = s;
                    }
                }
                gram = g;
            }
            return gram;
        }

        /** ‖Xᵀ X‖_F = ‖X Xᵀ‖_F, through the smaller of the two. */
        double selfNorm() {
            if (selfNorm < 0) {
                selfNorm = Math.sqrt(n <= p ? sumOfSquares(gram()) : crossByFeatures(this, this));
            }
            return selfNorm;
        }
    }
}
