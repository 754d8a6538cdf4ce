package dev.kora4j.optim;

import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Tensor;
import java.util.List;

/** Updates trainable leaf tensors in place from their gradients. */
public abstract class Optimizer {
    protected final List<Tensor> params;
    protected double lr;

    protected Optimizer(List<Tensor> params, double lr) {
        for (Tensor p : params) {
            if (!p.isLeaf() || !p.requiresGrad()) {
                throw new IllegalArgumentException("optimizer: every parameter must be a leaf that requires grad");
            }
            if (p.dtype() != DType.F32 || !p.isContiguous()) {
                throw new IllegalArgumentException("optimizer: parameters must be contiguous F32 tensors");
            }
        }
        this.params = List.copyOf(params);
        this.lr = lr;
    }

    /** One update from the current gradients; parameters without a gradient are left alone. */
    public abstract void step();

    public double learningRate() {
        return lr;
    }

    public void setLearningRate(double lr) {
        this.lr = lr;
    }

    public List<Tensor> params() {
        return params;
    }

    /** Forgets every parameter's gradient (the next backward writes the new ones into the old buffers). */
    public void zeroGrad() {
        for (Tensor p : params) {
            p.recycleGrad();
        }
    }

    /** The contiguous float gradient of p, or null if it has none. */
    static float[] gradOf(Tensor p) {
        Tensor g = p.grad();
        if (g == null) {
            return null;
        }
        if (!g.isContiguous() || g.offset() != 0 || g.floats().length != p.numel()) {
            throw new IllegalStateException("optimizer: a gradient must be a buffer of its own, exactly the parameter's size");
        }
        return g.floats();
    }
}
