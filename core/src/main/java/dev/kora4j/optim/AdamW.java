package dev.kora4j.optim;

import dev.kora4j.backend.cpu.AdamWKernel;
import dev.kora4j.backend.cuda.CudaBackend;
import dev.kora4j.tensor.BufferPool;
import dev.kora4j.tensor.DType;
import dev.kora4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * AdamW with PyTorch's semantics and operation order: decoupled weight decay
 * (p ← p·(1 − lr·wd)), then m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g², and
 * p ← p − (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + eps).
 * Parameters on the cuda device are updated there, all of them in one fused kernel launch, with
 * the bits the cpu kernel gives.
 */
public final class AdamW extends Optimizer {
    private final double beta1, beta2, eps, weightDecay;
    private final Map<Tensor, State> state = new IdentityHashMap<>();

    /** Per parameter: the moments and how many steps it has taken. */
    public static final class State {
        public final float[] m;
        public final float[] v;
        public long step;

        State(int n) {
            m = new float[n];
            v = new float[n];
        }
    }

    public AdamW(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        super(params, lr);
        // Written as PyTorch does (not 0 ≤ x), so that NaN is rejected too.
        if (!(lr >= 0) || !(eps >= 0) || !(weightDecay >= 0)
                || !(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("AdamW: need lr, eps, weight decay ≥ 0 and betas in [0, 1)");
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** PyTorch's defaults: betas (0.9, 0.999), eps 1e-8, weight decay 0.01. */
    public AdamW(List<Tensor> params, double lr) {
        this(params, lr, 0.9, 0.999, 1e-8, 0.01);
    }

    /** The moments of a parameter that lives on the GPU, kept there. */
    private static final class DeviceState {
        final Tensor m;
        final Tensor v;
        long step;

        DeviceState(Tensor m, Tensor v) {
            this.m = m;
            this.v = v;
        }
    }

    private final Map<Tensor, DeviceState> deviceState = new IdentityHashMap<>();

    @Override
    public void step() {
        // cuda parameters: one launch for all that share a step count (normally all of them)
        Map<Long, List<Tensor[]>> onDevice = new TreeMap<>();
        for (Tensor p : params) {
            if (!p.device().onHeap()) {
                Tensor[] wgmv = deviceStep(p);
                if (wgmv != null) {
                    onDevice.computeIfAbsent(deviceState.get(p).step, k -> new ArrayList<>()).add(wgmv);
                }
                continue;
            }
            float[] g = gradOf(p);
            if (g == null) {
                continue;
            }
            State s = state.computeIfAbsent(p, key -> new State(key.numel()));
            s.step++;
            AdamWKernel.step(p.floats(), p.offset(), g, s.m, s.v, g.length, coefficients(s.step));
        }
        onDevice.forEach((step, tensors) -> CudaBackend.get().adamwStep(tensors, coefficients(step)));
    }

    /** The step's constants, rounded to float as the kernels take them (the same on every device). */
    private AdamWKernel.Coefficients coefficients(long step) {
        return new AdamWKernel.Coefficients(
                (float) (1 - lr * weightDecay), (float) beta2, (float) (1 - beta1), (float) (1 - beta2),
                (float) (lr / (1 - Math.pow(beta1, step))), (float) Math.sqrt(1 - Math.pow(beta2, step)), (float) eps);
    }

    /** A cuda parameter's {w, g, m, v} for this step (its moments made on the device at its first), or null without a gradient. */
    private Tensor[] deviceStep(Tensor p) {
        Tensor g = p.grad();
        if (g == null) {
            return null;
        }
        if (!g.isContiguous() || g.numel() != p.numel()) {
            throw new IllegalStateException("optimizer: a gradient must be a contiguous buffer of the parameter's size");
        }
        // The moments outlive any buffer-pool step the first update may run in.
        DeviceState s = deviceState.computeIfAbsent(p, key -> BufferPool.outside(() -> new DeviceState(
                Tensor.zeros(DType.F32, key.device(), key.numel()), Tensor.zeros(DType.F32, key.device(), key.numel()))));
        s.step++;
        return new Tensor[] {p, g, s.m, s.v};
    }

    /** The moments of p (null before its first step), for checkpoints; a copy on the heap for a cuda parameter. */
    public State stateOf(Tensor p) {
        DeviceState d = deviceState.get(p);
        if (d == null) {
            return state.get(p);
        }
        State s = new State(p.numel());
        System.arraycopy(d.m.toFloatArray(), 0, s.m, 0, s.m.length);
        System.arraycopy(d.v.toFloatArray(), 0, s.v, 0, s.v.length);
        s.step = d.step;
        return s;
    }

    /** Restores p's moments and step count from a checkpoint. */
    public void restoreState(Tensor p, float[] m, float[] v, long step) {
        if (!params.contains(p) || m.length != p.numel() || v.length != p.numel() || step < 1) {
            throw new IllegalArgumentException("AdamW: a restored state must belong to one of the parameters and match its size");
        }
        if (!p.device().onHeap()) {
            DeviceState d = BufferPool.outside(() -> new DeviceState(Tensor.of(m.clone(), m.length).to(p.device()).detach(),
                    Tensor.of(v.clone(), v.length).to(p.device()).detach()));
            d.step = step;
            deviceState.put(p, d);
            return;
        }
        State s = new State(p.numel());
        System.arraycopy(m, 0, s.m, 0, m.length);
        System.arraycopy(v, 0, s.v, 0, v.length);
        s.step = step;
        state.put(p, s);
    }
}
