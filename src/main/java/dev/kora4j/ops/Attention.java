package dev.kora4j.ops;

import dev.kora4j.autograd.Tape;
import dev.kora4j.backend.Backends;
import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;

/**
 * Multi-head self-attention as one op, forward and backward, on timm's qkv layout: from qkv
 * [B, N, 3D] to the heads' outputs side by side [B, N, D], through softmax(scale·q·kᵀ)·v per head.
 * No permuted copies of q, k, v exist; the softmax output is the one saved tensor.
 */
public final class Attention {
    private Attention() {}

    public static Tensor selfAttention(Tensor qkv, int heads, double scale) {
        if (qkv.rank() != 3 || qkv.size(2) % 3 != 0 || heads < 1 || (qkv.size(2) / 3) % heads != 0) {
            throw Shape.mismatch("attention", qkv.shape(), new int[] {heads},
                    "do not match (qkv [B, N, 3D] and a head count dividing D)");
        }
        int b = qkv.size(0), n = qkv.size(1), d = qkv.size(2) / 3;
        Tensor x = qkv.detach().contiguous();
        Tensor out = Copies.empty(qkv, b, n, d);
        Tensor probs = Copies.empty(qkv, b, heads, n, n);
        Backends.of(qkv.device()).attention(x, heads, scale, out, probs);
        return Tape.record("attention", out, new Tensor[] {qkv}, new Tensor[] {x, probs}, (g, node) -> {
            Tensor dqkv = Copies.empty(g, b, n, 3 * d);
            Backends.of(g.device()).attentionBackward(node.saved(0), node.saved(1), g.contiguous(), heads, scale, dqkv);
            return new Tensor[] {dqkv};
        });
    }
}
