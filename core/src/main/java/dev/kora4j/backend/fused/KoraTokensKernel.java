package dev.kora4j.backend.fused;

import dev.kora4j.tensor.Tensor;

/** KoRA's per-token passes (kora-math.md §4); owned by {@code peft.KoraOp}. */
public interface KoraTokensKernel {
    /**
     * Given u = x·Âᵀ [N, 3r] and M = W1·B̂ [d, 3r]: pre = u·Mᵀ + b1 [N, d] (written, saved for
     * backward) and, in place, v ← v + g·(GELU(pre)·W2ᵀ + b2) for v [N, D] (a view whose rows may be
     * strided; its columns are contiguous). The gate g is a one-element tensor on the kernel's
     * device, read there (a GPU does not send it to the host).
     */
    void koraTokensForward(Tensor u, Tensor m, Tensor b1, Tensor w2, Tensor b2, Tensor gate, Tensor pre, Tensor v);

    /**
     * From dv' [N, D] (rows may be strided, columns contiguous): writes du = dpre·M [N, 3r] and the
     * sums over tokens G = dpreᵀ·u [d, 3r], db1 [d], dW2 [D, d], db2 [D] and dg [1], all on the
     * kernel's device. Here dpre = g·(dv'·W2) ⊙ GELU'(pre) and dg = Σ ⟨dv', GELU(pre)·W2ᵀ + b2⟩.
     */
    void koraTokensBackward(Tensor u, Tensor pre, Tensor m, Tensor w2, Tensor b2, Tensor gate, Tensor dv,
                            Tensor du, Tensor g, Tensor db1, Tensor dw2, Tensor db2, Tensor dgate);
}
