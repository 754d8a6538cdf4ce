package dev.kora4j.nn;

import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Tensor;

/** Layer norm over the last dim with a learned weight (ones) and bias (zeros). */
public final class LayerNorm extends Module {
    private final Tensor weight;
    private final Tensor bias;
    private final double eps;

    public LayerNorm(int dim, double eps, DType dtype, Device device) {
        this.weight = parameter("weight", Tensor.ones(dtype, device, dim));
        this.bias = parameter("bias", Tensor.zeros(dtype, device, dim));
        this.eps = eps;
    }

    public Tensor forward(Tensor x) {
        return dev.kora4j.ops.LayerNorm.layerNorm(x, weight, bias, eps);
    }
}
