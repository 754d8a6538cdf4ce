package dev.kora4j.ops;

import dev.kora4j.autograd.Tape;
import dev.kora4j.backend.Backends;
import dev.kora4j.backend.fused.LayerNormKernel;
import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;

/**
 * Layer norm over the last dim (PyTorch semantics: biased variance, eps inside the root): one kernel
 * pass each way where the backend has a {@link LayerNormKernel}, else {@link #composed}.
 */
public final class LayerNorm {
    private LayerNorm() {}

    public static Tensor layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps) {
        int d = x.rank() == 0 ? 0 : x.size(-1);
        if (x.rank() == 0 || gamma.rank() != 1 || gamma.size(0) != d || beta.rank() != 1 || beta.size(0) != d) {
            throw Shape.mismatch("layer_norm", x.shape(), gamma.shape(), "do not match (input [..., D], weight and bias [D])");
        }
        var kernel = Backends.of("layer_norm", x, gamma, beta).kernel(LayerNormKernel.class);
        return kernel.isPresent() ? fused(kernel.get(), x, gamma, beta, eps) : composed(x, gamma, beta, eps);
    }

    private static Tensor fused(LayerNormKernel kernel, Tensor x, Tensor gamma, Tensor beta, double eps) {
        int d = x.size(-1);
        Tensor xc = x.detach().contiguous(), gammaC = gamma.detach().contiguous();
        int rows = x.numel() / Math.max(1, d);
        Tensor out = Copies.empty(x, x.shape());
        Tensor mean = Copies.empty(x, rows);
        Tensor rstd = Copies.empty(x, rows);
        kernel.layerNorm(xc, gammaC, beta.detach().contiguous(), eps, out, mean, rstd);
        return Tape.record("layer_norm", out, new Tensor[] {x, gamma, beta}, new Tensor[] {xc, gammaC, mean, rstd}, (g, node) -> {
            Tensor dx = Copies.empty(g, g.shape());
            Tensor dgamma = node.needsGrad(1) ? Copies.empty(g, d) : null;
            Tensor dbeta = node.needsGrad(2) ? Copies.empty(g, d) : null;
            kernel.layerNormBackward(node.saved(0), node.saved(1), node.saved(2), node.saved(3), g.contiguous(), dx, dgamma, dbeta);
            return new Tensor[] {dx, dgamma, dbeta};
        });
    }

    /** The same function from primitives, the kernels' oracle: (x − μ)·(σ² + eps)^−½·γ + β. */
    static Tensor composed(Tensor x, Tensor gamma, Tensor beta, double eps) {
        Tensor centred = x.sub(x.mean(true, -1));
        Tensor rstd = centred.mul(centred).mean(true, -1).add(eps).pow(-0.5);
        return centred.mul(rstd).mul(gamma).add(beta);
    }
}
