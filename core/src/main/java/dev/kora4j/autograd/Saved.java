package dev.kora4j.autograd;

import dev.kora4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The tensors an op saves for its backward, each under a name, for ops that save more than a few:
 * {@code Saved.of().put("x", x).put("u", u)} in forward, {@code node.saved("u")} in backward.
 */
public final class Saved {
    private final List<String> names = new ArrayList<>();
    private final List<Tensor> tensors = new ArrayList<>();

    private Saved() {}

    public static Saved of() {
        return new Saved();
    }

    /** Saves t (null is allowed: a tensor this call did not need) under a name used once. */
    public Saved put(String name, Tensor t) {
        if (names.contains(name)) {
            throw new IllegalArgumentException("saved for backward: the name '" + name + "' is used twice");
        }
        names.add(name);
        tensors.add(t);
        return this;
    }

    String[] names() {
        return names.toArray(String[]::new);
    }

    Tensor[] tensors() {
        return tensors.toArray(Tensor[]::new);
    }
}
