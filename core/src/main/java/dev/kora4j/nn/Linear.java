package dev.kora4j.nn;

import dev.kora4j.ops.LinearTail;
import dev.kora4j.ops.MatMul;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Device;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.util.function.Consumer;

/**
 * y = x·Wᵀ + b with W [out, in], initialised as PyTorch's nn.Linear: U(−1/√in, 1/√in) for W and b.
 * An attached adapter (LoRA, DoRA, KoRA) adapts the output; an input observer sees each input (the seed's
 * KoRA reads detached layer inputs this way, as its forward hooks did).
 */
public final class Linear extends Module {
    private final int in;
    private final int out;
    private final Tensor weight;
    private final Tensor bias;
    private LinearAdapter adapter;
    private Consumer<Tensor> inputObserver;

    public Linear(int in, int out, boolean bias, Rng rng) {
        this(in, out, bias, rng, DType.F32, Device.CPU);
    }

    public Linear(int in, int out, boolean bias, Rng rng, DType dtype, Device device) {
        this.in = in;
        this.out = out;
        double bound = 1 / Math.sqrt(in);
        this.weight = parameter("weight", Tensor.uniform(rng, -bound, bound, dtype, device, out, in));
        this.bias = bias ? parameter("bias", Tensor.uniform(rng, -bound, bound, dtype, device, out)) : null;
    }

    public Tensor forward(Tensor x) {
        return forward(x, LinearTail.NONE);
    }

    /**
     * The layer followed by GELU, or plus a residual, in the same op where the adapter allows; an
     * attached adapter computes the output (and the tail) instead of the plain product.
     */
    public Tensor forward(Tensor x, LinearTail tail) {
        if (inputObserver != null) {
            inputObserver.accept(x.detach());
        }
        return adapter == null ? MatMul.linear(x, weight, bias, tail) : adapter.forward(x, weight, bias, tail);
    }

    /** Attaches an adapter whose parameters join this module's namespace (qkv.lora_A.weight, ...). */
    public <A extends Module & LinearAdapter> void attach(A a) {
        if (adapter != null) {
            throw new IllegalStateException("this Linear already carries an adapter");
        }
        adapter = a;
        child("", a);
    }

    public LinearAdapter adapter() {
        return adapter;
    }

    public void observeInputs(Consumer<Tensor> observer) {
        this.inputObserver = observer;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }
}
