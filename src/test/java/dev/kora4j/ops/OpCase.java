package dev.kora4j.ops;

import dev.kora4j.Tolerance;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One op under test: a function of leaf inputs of given shapes (it may take views of them, so
 * non-contiguous inputs are covered), with the range the inputs are drawn from and how closely
 * backends must agree on it.
 */
record OpCase(String name, Function<Tensor[], Tensor> f, int[][] shapes, double lo, double hi, boolean[] frozen, Tolerance tolerance) {
    OpCase(String name, Function<Tensor[], Tensor> f, double lo, double hi, int[]... shapes) {
        this(name, f, shapes, lo, hi, new boolean[shapes.length], Tolerance.SUMS);
    }

    OpCase(String name, Function<Tensor[], Tensor> f, int[]... shapes) {
        this(name, f, -2, 2, shapes);
    }

    /** The same case with input i frozen (requiresGrad false). */
    OpCase frozen(int i) {
        boolean[] f2 = frozen.clone();
        f2[i] = true;
        return new OpCase(name + " (input " + i + " frozen)", f, shapes, lo, hi, f2, tolerance);
    }

    /** The same case compared across backends within {@code t}, forward and gradients. */
    OpCase within(Tolerance t) {
        return new OpCase(name, f, shapes, lo, hi, frozen, t);
    }

    /** Fresh leaves with the case's seeded values, of the given dtype on the given device. */
    Tensor[] inputs(DType dtype, Device device) {
        Rng rng = new Rng(name.hashCode());
        Tensor[] in = new Tensor[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            Tensor values = Tensor.uniform(rng, lo, hi, shapes[i]);
            in[i] = values.to(dtype).to(device).detach().requiresGrad(!frozen[i]);
        }
        return in;
    }

    @Override
    public String toString() {
        return name + " " + Arrays.stream(shapes).map(s -> Arrays.toString(s).replace(" ", "")).collect(Collectors.joining(" "));
    }
}
