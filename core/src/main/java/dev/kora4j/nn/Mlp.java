package dev.kora4j.nn;

import dev.kora4j.ops.LinearTail;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;

/** fc1 → exact GELU → fc2 (timm's Mlp with its default activation). */
public final class Mlp extends Module {
    public final Linear fc1;
    public final Linear fc2;

    public Mlp(int dim, int hidden, Rng rng, DType dtype, Device device) {
        this.fc1 = child("fc1", new Linear(dim, hidden, true, rng, dtype, device));
        this.fc2 = child("fc2", new Linear(hidden, dim, true, rng, dtype, device));
    }

    public Tensor forward(Tensor x) {
        return fc2.forward(fc1.forward(x, LinearTail.GELU));
    }

    /** residual + mlp(x), the add done by fc2's op as it writes its output. */
    public Tensor forward(Tensor x, Tensor residual) {
        return fc2.forward(fc1.forward(x, LinearTail.GELU), LinearTail.residual(residual));
    }
}
