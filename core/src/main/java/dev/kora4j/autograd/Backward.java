package dev.kora4j.autograd;

import dev.kora4j.tensor.Tensor;

/** An op's backward rule: from the output's gradient to one gradient per input. */
@FunctionalInterface
public interface Backward {
    /**
     * Returns one gradient per input, shaped like that input; an entry may be null where
     * {@code node.needsGrad(i)} is false (frozen inputs cost no work).
     */
    Tensor[] apply(Tensor gradOutput, Node node);
}
