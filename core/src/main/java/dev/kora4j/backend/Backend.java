package dev.kora4j.backend;

import dev.kora4j.tensor.Tensor;
import java.util.Optional;

/**
 * What an op asks of the machine: primitives (copy, elementwise maps and their derivatives, zips,
 * reductions, products) from which every op can be composed, and optional fused kernels an op may
 * ask for ({@link #kernel}). Inputs may be strided views unless a method says otherwise;
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

    /**
     * A fused kernel of the given type ({@code dev.kora4j.backend.fused}) where this backend has one,
     * else empty: the op that owns the kernel then runs its composition of the primitives above.
     * By default a backend offers the kernels it implements itself.
     */
    default <K> Optional<K> kernel(Class<K> type) {
        return type.isInstance(this) ? Optional.of(type.cast(this)) : Optional.empty();
    }
}
