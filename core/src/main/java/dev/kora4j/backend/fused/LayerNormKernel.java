package dev.kora4j.backend.fused;

import dev.kora4j.tensor.Tensor;

/** Layer norm over the last dim in one pass each way; owned by {@code ops.LayerNorm}. */
public interface LayerNormKernel {
    /**
     * For a contiguous x [rows, D]: out = (x − μ)·rstd·γ + β with rstd = 1/√(σ² + eps) (biased
     * variance). Saves μ and rstd [rows] for backward.
     */
    void layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps, Tensor out, Tensor mean, Tensor rstd);

    /** dx, and dγ, dβ unless null (frozen), from x, γ, the saved μ and rstd, and gy. */
    void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor gy, Tensor dx, Tensor dgamma, Tensor dbeta);
}
