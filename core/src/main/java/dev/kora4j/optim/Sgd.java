package dev.kora4j.optim;

import dev.kora4j.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * SGD with momentum, PyTorch's semantics: g ← g + wd·p; buf ← g on the first step, else
 * buf ← μ·buf + (1 − dampening)·g; the step uses buf (or g + μ·buf with Nesterov); p ← p − lr·step.
 */
public final class Sgd extends Optimizer {
    private final double momentum, dampening, weightDecay;
    private final boolean nesterov;
    private final Map<Tensor, float[]> buffers = new IdentityHashMap<>();

    public Sgd(List<Tensor> params, double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        super(params, lr);
        if (lr < 0 || momentum < 0 || weightDecay < 0) {
            throw new IllegalArgumentException("SGD: need lr, momentum and weight decay ≥ 0");
        }
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("SGD: Nesterov momentum needs momentum > 0 and zero dampening");
        }
        this.momentum = momentum;
        this.dampening = dampening;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    public Sgd(List<Tensor> params, double lr, double momentum) {
        this(params, lr, momentum, 0, 0, false);
    }

    @Override
    public void step() {
        float mu = (float) momentum, damp = (float) (1 - dampening), wd = (float) weightDecay, rate = (float) lr;
        for (Tensor p : params) {
            float[] g = gradOf(p);
            if (g == null) {
                continue;
            }
            float[] w = p.floats();
            int off = p.offset();
            float[] buf = momentum == 0 ? null : buffers.get(p);
            boolean first = momentum != 0 && buf == null;
            if (first) {
                buf = new float[g.length];
                buffers.put(p, buf);
            }
            for (int i = 0; i < g.length; i++) {
                float d = wd == 0 ? g[i] : g[i] + wd * w[off + i];
                if (buf != null) {
                    buf[i] = first ? d : mu * buf[i] + damp * d;
                    d = nesterov ? d + mu * buf[i] : buf[i];
                }
                w[off + i] -= rate * d;
            }
        }
    }
}
