package dev.kora4j.autograd;

import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;

/**
 * Finite-difference check of backward rules, in F64 with PyTorch's defaults (eps 1e-6, atol 1e-5,
 * rtol 1e-3). It compares vector–Jacobian products: for a fixed random cotangent v,
 * ∂⟨f(x), v⟩/∂x from backward against central differences of ⟨f(x), v⟩.
 */
public final class GradCheck {
    public static final double EPS = 1e-6;
    public static final double ATOL = 1e-5;
    public static final double RTOL = 1e-3;

    private GradCheck() {}

    /** Throws an AssertionError naming the first input and element whose gradient disagrees. */
    public static void check(String name, Function<Tensor[], Tensor> f, Tensor... inputs) {
        check(name, f, EPS, ATOL, RTOL, inputs);
    }

    public static void check(String name, Function<Tensor[], Tensor> f, double eps, double atol, double rtol, Tensor... inputs) {
        for (Tensor in : inputs) {
            if (in.dtype() != DType.F64 || !in.isLeaf()) {
                throw new IllegalArgumentException("gradcheck " + name + ": inputs must be F64 leaf tensors");
            }
            in.zeroGrad();
        }
        Tensor out = f.apply(inputs);
        Rng rng = new Rng(0x6d5a_1234L);
        Tensor cotangent = Tensor.uniform(rng, -1, 1, DType.F64, out.device(), out.shape());
        out.backward(cotangent);
        double[] v = cotangent.toDoubleArray();
        for (int i = 0; i < inputs.length; i++) {
            Tensor in = inputs[i];
            if (!in.requiresGrad()) {
                continue;
            }
            if (in.grad() == null) {
                throw new AssertionError("gradcheck " + name + ": input " + i + " got no gradient");
            }
            double[] analytic = in.grad().toDoubleArray();
            int[] index = new int[in.rank()];
            for (int e = 0; e < in.numel(); e++) {
                int at = in.storageIndex(index);
                double saved = in.storage().get(at);
                double plus, minus;
                try (var scope = GradMode.noGrad()) {
                    in.storage().set(at, saved + eps);
                    plus = dot(f.apply(inputs), v);
                    in.storage().set(at, saved - eps);
                    minus = dot(f.apply(inputs), v);
                } finally {
                    in.storage().set(at, saved);
                }
                double numeric = (plus - minus) / (2 * eps);
                if (Math.abs(analytic[e] - numeric) > atol + rtol * Math.abs(numeric)) {
                    throw new AssertionError(String.format(Locale.ROOT,
                            "gradcheck %s: input %d element %s: backward gives %.9g, finite differences %.9g",
                            name, i, Arrays.toString(index), analytic[e], numeric));
                }
                for (int d = index.length - 1; d >= 0 && ++index[d] == in.size(d); d--) {
                    index[d] = 0;
                }
            }
        }
    }

    private static double dot(Tensor out, double[] v) {
        double[] values = out.toDoubleArray();
        double s = 0;
        for (int i = 0; i < values.length; i++) {
            s += values[i] * v[i];
        }
        return s;
    }
}
