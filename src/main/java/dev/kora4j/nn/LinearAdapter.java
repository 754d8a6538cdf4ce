package dev.kora4j.nn;

import dev.kora4j.ops.LinearTail;
import dev.kora4j.tensor.Tensor;

/** Something that changes a Linear's output (LoRA, KoRA): given the input x and the frozen output y. */
public interface LinearAdapter {
    Tensor adapt(Tensor x, Tensor y);

    /** An adapter that can also compute the Linear and itself as one op (LoRA). */
    interface FusedAdapter extends LinearAdapter {
        /** Whether the one-op form applies now (e.g. not while LoRA dropout is active). */
        boolean fusable();

        /** The Linear, this adapter's update and the tail (GELU or a residual) as one op. */
        Tensor forwardFused(Linear base, Tensor x, LinearTail tail);
    }
}
