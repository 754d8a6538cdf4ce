package dev.kora4j.nn;

import dev.kora4j.tensor.Tensor;

/** Something that changes a Linear's output (LoRA, KoRA): given the input x and the frozen output y. */
public interface LinearAdapter {
    Tensor adapt(Tensor x, Tensor y);
}
