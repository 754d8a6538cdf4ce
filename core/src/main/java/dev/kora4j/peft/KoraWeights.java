package dev.kora4j.peft;

import dev.kora4j.tensor.Tensor;

/**
 * The parameters of one KoRA composition (kora-math.md §2): A_j [r, D], B_j [D, r] for j = q, k, v;
 * W1 [d, 3D] (columns: q part, k part, v part), b1 [d], W2 [D, d], b2 [D]; the gate g [1].
 */
public record KoraWeights(Tensor aq, Tensor ak, Tensor av, Tensor bq, Tensor bk, Tensor bv,
                          Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor gate) {
    public Tensor[] all() {
        return new Tensor[] {aq, ak, av, bq, bk, bv, w1, b1, w2, b2, gate};
    }

    public int rank() {
        return aq.size(0);
    }

    public int dim() {
        return aq.size(1);
    }

    public int compositionDim() {
        return w1.size(0);
    }
}
