package dev.kora4j.backend.fused;

import dev.kora4j.tensor.Tensor;

/**
 * KoRA's composition weights M = s·[W1_q·B_q, W1_k·B_k, W1_v·B_v] and the gradients through them,
 * each in one pass; owned by {@code peft.KoraOp}. It pays where launches cost more than these small
 * products (a GPU); without it, KoRA builds M from three products each way.
 */
public interface KoraCompositionKernel {
    /** m [dc, 3r] ← s·[W1_q·B_q, W1_k·B_k, W1_v·B_v] for W1 [dc, 3D] and B_j [D, r]. */
    void koraComposition(Tensor w1, Tensor bq, Tensor bk, Tensor bv, double s, Tensor m);

    /** dW1 [dc, 3D] and dB_j [D, r] (all contiguous, all written) from g = dL/dM [dc, 3r]. */
    void koraCompositionBackward(Tensor w1, Tensor bq, Tensor bk, Tensor bv, Tensor g, double s,
                                 Tensor dw1, Tensor dbq, Tensor dbk, Tensor dbv);
}
