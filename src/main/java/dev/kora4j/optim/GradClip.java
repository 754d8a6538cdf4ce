package dev.kora4j.optim;

import dev.kora4j.tensor.Tensor;
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
}
