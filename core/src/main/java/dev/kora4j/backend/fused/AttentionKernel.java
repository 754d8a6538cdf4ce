package dev.kora4j.backend.fused;

import dev.kora4j.tensor.Tensor;

/** Multi-head self-attention with no permuted copies; owned by {@code ops.Attention}. */
public interface AttentionKernel {
    /**
     * Over qkv [B, N, 3D] laid out as timm's qkv Linear writes it (q, k, v blocks of D; head h at
     * columns h·D/H of each): probs [B, H, N, N] ← softmax(scale·q·kᵀ) (kept for backward) and
     * out [B, N, D] ← probs·v with the heads side by side.
     */
    void attention(Tensor qkv, int heads, double scale, Tensor out, Tensor probs);

    /** dqkv [B, N, 3D] (every element written) from qkv, the saved probs and gOut [B, N, D]. */
    void attentionBackward(Tensor qkv, Tensor probs, Tensor gOut, int heads, double scale, Tensor dqkv);
}
