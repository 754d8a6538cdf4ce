package dev.kora4j.ops;

import dev.kora4j.autograd.Tape;
import dev.kora4j.backend.Backends;
import dev.kora4j.backend.BinaryOp;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;

/** Inverted dropout: zero each element with probability p, scale the rest by 1/(1−p). */
public final class Dropout {
    private Dropout() {}

    /** Identity when not training or p = 0; the mask is drawn from {@code rng} in row-major order. */
    public static Tensor dropout(Tensor x, double p, Rng rng, boolean training) {
        if (p < 0 || p >= 1) {
            throw new IllegalArgumentException("dropout: p must be in [0, 1), got " + p);
        }
        if (!training || p == 0) {
            return x;
        }
        // One draw of the stream keys the whole mask, which each backend computes where x lives.
        long key = rng.nextLong();
        var backend = Backends.of(x);
        Tensor mask = Copies.empty(x, x.shape());
        backend.dropoutMask(key, p, mask);
        Tensor out = Copies.empty(x, x.shape());
        backend.zip(BinaryOp.MUL, x.detach(), mask, out);
        // d out = g·mask
        return Tape.record("dropout", out, new Tensor[] {x}, new Tensor[] {mask}, (g, node) -> {
            Tensor dx = Copies.empty(g, g.shape());
            Backends.of(g).zip(BinaryOp.MUL, g, node.saved(0), dx);
            return new Tensor[] {dx};
        });
    }
}
