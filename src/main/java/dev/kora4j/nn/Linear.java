package dev.kora4j.nn;

import dev.kora4j.ops.MatMul;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;

/** y = x·Wᵀ + b with W [out, in], initialised as PyTorch's nn.Linear: U(−1/√in, 1/√in) for W and b. */
public final class Linear extends Module {
    private final Tensor weight;
    private final Tensor bias;

    public Linear(int in, int out, boolean bias, Rng rng) {
        this(in, out, bias, rng, DType.F32, Device.CPU);
    }

    public Linear(int in, int out, boolean bias, Rng rng, DType dtype, Device device) {
        double bound = 1 / Math.sqrt(in);
        this.weight = parameter("weight", Tensor.uniform(rng, -bound, bound, dtype, device, out, in));
        this.bias = bias ? parameter("bias", Tensor.uniform(rng, -bound, bound, dtype, device, out)) : null;
    }

    public Tensor forward(Tensor x) {
        return MatMul.linear(x, weight, bias);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }
}
