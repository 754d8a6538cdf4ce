package dev.kora4j.ops;

import dev.kora4j.autograd.Tape;
import dev.kora4j.backend.Backends;
import dev.kora4j.backend.fused.AttentionKernel;
import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;

/**
 * Multi-head self-attention as one op on timm's qkv layout: from qkv [B, N, 3D] to the heads'
 * outputs side by side [B, N, D], through softmax(scale·q·kᵀ)·v per head. Where the backend has an
 * {@link AttentionKernel} no permuted copies of q, k, v exist and the softmax output is the one saved
 * tensor; elsewhere {@link #composed} runs.
 */
public final class Attention {
    private Attention() {}

    public static Tensor selfAttention(Tensor qkv, int heads, double scale) {
        if (qkv.rank() != 3 || qkv.size(2) % 3 != 0 || heads < 1 || (qkv.size(2) / 3) % heads != 0) {
            throw Shape.mismatch("attention", qkv.shape(), new int[] {heads},
                    "do not match (qkv [B, N, 3D] and a head count dividing D)");
        }
        var kernel = Backends.of(qkv).kernel(AttentionKernel.class);
        return kernel.isPresent() ? fused(kernel.get(), qkv, heads, scale) : composed(qkv, heads, scale);
    }

    private static Tensor fused(AttentionKernel kernel, Tensor qkv, int heads, double scale) {
        int b = qkv.size(0), n = qkv.size(1), d = qkv.size(2) / 3;
        Tensor x = qkv.detach().contiguous();
        Tensor out = Copies.empty(qkv, b, n, d);
        Tensor probs = Copies.empty(qkv, b, heads, n, n);
        kernel.attention(x, heads, scale, out, probs);
        return Tape.record("attention", out, new Tensor[] {qkv}, new Tensor[] {x, probs}, (g, node) -> {
            Tensor dqkv = Copies.empty(g, b, n, 3 * d);
            kernel.attentionBackward(node.saved(0), node.saved(1), g.contiguous(), heads, scale, dqkv);
            return new Tensor[] {dqkv};
        });
    }

    /** The same function from primitives as timm writes it (permuted views, two products, softmax): the kernels' oracle. */
    public static Tensor composed(Tensor qkv, int heads, double scale) {
        int b = qkv.size(0), n = qkv.size(1), d = qkv.size(2) / 3, hd = d / heads;
        Tensor r = qkv.reshape(b, n, 3, heads, hd).permute(2, 0, 3, 1, 4); // [3, B, H, N, hd]
        Tensor q = r.select(0, 0), k = r.select(0, 1), v = r.select(0, 2);
        Tensor attn = q.mul(scale).matmul(k.transpose(-2, -1)).softmax(-1);
        return attn.matmul(v).transpose(1, 2).reshape(b, n, d);
    }
}
