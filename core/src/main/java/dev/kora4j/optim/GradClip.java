package dev.kora4j.optim;

import dev.kora4j.autograd.GradMode;
import dev.kora4j.backend.Backends;
import dev.kora4j.backend.BinaryOp;
import dev.kora4j.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/** Gradient-norm clipping as PyTorch's clip_grad_norm_ does it. */
public final class GradClip {
    private GradClip() {}

    /**
     * Scales every gradient by min(1, maxNorm / (‖g‖ + 1e-6)), ‖g‖ the 2-norm over all of them
     * (summed in double, in parameter order). Returns ‖g‖ before clipping.
     */
    public static double clipByNorm(List<Tensor> params, double maxNorm) {
        double sumSquares = 0;
        for (Tensor p : params) {
            float[] g = Optimizer.gradOf(p);
            if (g != null) {
                for (float v : g) {
                    sumSquares += (double) v * v;
                }
            }
        }
        double norm = Math.sqrt(sumSquares);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            float c = (float) coef;
            for (Tensor p : params) {
                float[] g = Optimizer.gradOf(p);
                if (g != null) {
                    for (int i = 0; i < g.length; i++) {
                        g[i] *= c;
                    }
                }
            }
        }
        return norm;
    }

    /**
     * The same clipping for gradients in device memory, done there: ‖g‖ (summed in float, in
     * parameter order) and the coefficient min(1, maxNorm / (‖g‖ + 1e-6)) stay on the device, and
     * each gradient is scaled in place, so nothing is copied to the host. Returns ‖g‖ as a scalar
     * tensor on the device (item() when it must be read).
     */
    public static Tensor clipByNormOnDevice(List<Tensor> params, double maxNorm) {
        try (var scope = GradMode.noGrad()) {
            Tensor sumSquares = null;
            for (Tensor p : params) {
                if (p.grad() != null) {
                    Tensor s = p.grad().mul(p.grad()).sum();
                    sumSquares = sumSquares == null ? s : sumSquares.add(s);
                }
            }
            if (sumSquares == null) {
                return null;
            }
            Tensor norm = sumSquares.sqrt();
            // min(1, c) as 1 − relu(1 − c): the primitive ops have no min
            Tensor coef = norm.add(1e-6).pow(-1).mul(maxNorm).neg().add(1).relu().neg().add(1);
            for (Tensor p : params) {
                Tensor g = p.grad();
                if (g != null) {
                    int[] ones = new int[g.rank()];
                    Arrays.fill(ones, 1);
                    Backends.of(g).zip(BinaryOp.MUL, g, coef.reshape(ones).expand(g.shape()), g);
                }
            }
            return norm;
        }
    }
}
