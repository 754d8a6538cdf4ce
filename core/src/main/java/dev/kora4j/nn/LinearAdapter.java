package dev.kora4j.nn;

import dev.kora4j.ops.LinearTail;
import dev.kora4j.tensor.Tensor;

/**
 * Something that changes what a linear map computes (LoRA, DoRA, KoRA). It is given the layer's
 * input, weight [out, in] and bias (the Conv2d patch embedding gives its patches and its kernel
 * flattened to [D, C·p·p]) and computes the adapted output followed by the tail, in one op where
 * it can.
 */
public interface LinearAdapter {
    Tensor forward(Tensor x, Tensor weight, Tensor bias, LinearTail tail);
}
