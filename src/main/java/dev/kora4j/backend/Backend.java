package dev.kora4j.backend;

import dev.kora4j.tensor.Tensor;

/**
 * What an op asks of the machine. Inputs may be strided views unless a method says otherwise;
 * outputs are contiguous tensors the caller allocated, of the same dtype and device. Every result
 * must be the same for any thread count.
 */
public interface Backend {
    String name();

    /** dst ← src, element by element over one shape; both may be strided views. */
    void copy(Tensor src, Tensor dst);

    /** out ← op(x). */
    void map(UnaryOp op, double p, Tensor x, Tensor out);

    /** dx ← grad · op'(x), where y = op(x) (either x or y may be null if the rule does not read it). */
    void mapBackward(UnaryOp op, double p, Tensor x, Tensor y, Tensor grad, Tensor dx);

    /** out ← a op b; a and b are already expanded (stride 0 where broadcast) to out's shape. */
    void zip(BinaryOp op, Tensor a, Tensor b, Tensor out);

    /** mask (contiguous) ← dropout's mask for {@code key} and drop probability p ({@link DropoutMask}). */
    void dropoutMask(long key, double p, Tensor mask);

    /** out ← sum of x over {@code dims}; out has x's rank, with size 1 in the summed dims. */
    void sum(Tensor x, int[] dims, Tensor out);

    /**
     * out ← max of x along {@code dim} (size 1 there in out); {@code argmax} receives, per output
     * element in row-major order, the index of the first maximum.
     */
    void max(Tensor x, int dim, Tensor out, int[] argmax);

    /**
     * c ← a·b, or c += a·b when {@code accumulate}: a [..., M, K] and b [..., K, N] are any views
     * (transposes arrive as strides), c [..., M, N] is contiguous, batch dims are equal.
     */
    void matmul(Tensor a, Tensor b, Tensor c, boolean accumulate);

    /**
     * A linear layer's product with what follows it: out ← act(a·b + u·v + bias) + residual, as
     * {@link LinearEpilogue} says, for a [M, K] and b [K, N] (any views) and a contiguous out [M, N].
     * This default runs the parts one after another; a backend may fuse them into the product.
     */
    default void linear(Tensor a, Tensor b, Tensor out, LinearEpilogue epilogue) {
        epilogue.check(a, b, out);
        epilogue.runUnfused(this, a, b, out);
    }

    /** Softmax (or log-softmax) over the last dim of a contiguous x. */
    void softmax(Tensor x, Tensor out, boolean log);

    /** dx from y = softmax(x) (or log-softmax) and the gradient gy, over the last dim. */
    void softmaxBackward(Tensor y, Tensor gy, Tensor dx, boolean log);

    /**
     * Layer norm over the last dim of a contiguous x [rows, D]: out = (x − μ)·rstd·γ + β with
     * rstd = 1/√(σ² + eps) (biased variance). Saves μ and rstd [rows] for backward.
     */
    void layerNorm(Tensor x, Tensor gamma, Tensor beta, double eps, Tensor out, Tensor mean, Tensor rstd);

    /** dx, and dγ, dβ unless null (frozen), from x, γ, the saved μ and rstd, and gy. */
    void layerNormBackward(Tensor x, Tensor gamma, Tensor mean, Tensor rstd, Tensor gy, Tensor dx, Tensor dgamma, Tensor dbeta);

    /**
     * Cross-entropy of each row of logits [rows, C] against integer labels, with label smoothing ε
     * (target (1−ε)·onehot + ε/C): writes the row losses [rows] and the softmax probabilities.
     */
    void crossEntropy(Tensor logits, int[] labels, double smoothing, Tensor rowLoss, Tensor probs);

    /** dlogits ← scale · (probs − target) for each row, the target as in {@link #crossEntropy}. */
    void crossEntropyBackward(Tensor probs, int[] labels, double smoothing, double scale, Tensor dlogits);

    /**
     * KoRA's per-token forward (kora-math.md §4), given u = x·Âᵀ [N, 3r] and M = W1·B̂ [d, 3r]:
     * pre = u·Mᵀ + b1 [N, d] (written, saved for backward) and, in place, v ← v + g·(GELU(pre)·W2ᵀ + b2)
     * for v [N, D] (a view whose rows may be strided; its columns are contiguous). The gate g is a
     * one-element tensor on this backend's device, read there (a GPU does not send it to the host).
     */
    void koraTokensForward(Tensor u, Tensor m, Tensor b1, Tensor w2, Tensor b2, Tensor gate, Tensor pre, Tensor v);

    /**
     * KoRA's per-token backward from dv' [N, D] (rows may be strided): writes du = dpre·M [N, 3r] and
     * the sums over tokens G = dpreᵀ·u [d, 3r], db1 [d], dW2 [D, d], db2 [D] and dg [1], all on this
     * backend's device. Here dpre = g·(dv'·W2) ⊙ GELU'(pre) and dg = Σ ⟨dv', GELU(pre)·W2ᵀ + b2⟩.
     */
    void koraTokensBackward(Tensor u, Tensor pre, Tensor m, Tensor w2, Tensor b2, Tensor gate, Tensor dv,
                            Tensor du, Tensor g, Tensor db1, Tensor dw2, Tensor db2, Tensor dgate);

    /**
     * Multi-head self-attention over qkv [B, N, 3D] laid out as timm's qkv Linear writes it (q, k, v
     * blocks of D; head h at columns h·D/H of each): probs [B, H, N, N] ← softmax(scale·q·kᵀ) (kept for
     * backward) and out [B, N, D] ← probs·v with the heads side by side.
     */
    void attention(Tensor qkv, int heads, double scale, Tensor out, Tensor probs);

    /** dqkv [B, N, 3D] (every element written) from qkv, the saved probs and gOut [B, N, D]. */
    void attentionBackward(Tensor qkv, Tensor probs, Tensor gOut, int heads, double scale, Tensor dqkv);
}
