package dev.kora4j.autograd;

import dev.kora4j.tensor.Tensor;

/**
 * One recorded op on the tape. It points to the nodes of its inputs (not to the input tensors,
 * so intermediate results can be freed) and to the leaves that collect gradients. The tensors the
 * backward rule needs are saved here and released after backward unless the graph is retained.
 */
public final class Node {
    private final String op;
    private final Node[] inputNodes;
    private final Tensor[] inputLeaves;
    private final Backward backward;
    private Tensor[] saved;
    private final String[] savedNames;
    private boolean released;

    Node(String op, Tensor[] inputs, Tensor[] saved, String[] savedNames, Backward backward) {
        this.op = op;
        this.inputNodes = new Node[inputs.length];
        this.inputLeaves = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor in = inputs[i];
            if (in == null || !in.requiresGrad()) {
                continue;
            }
            if (in.gradFn() != null) {
                inputNodes[i] = in.gradFn();
            } else {
                inputLeaves[i] = in;
            }
        }
        this.saved = saved;
        this.savedNames = savedNames;
        this.backward = backward;
    }

    public String op() {
        return op;
    }

    public int inputCount() {
        return inputNodes.length;
    }

    /** Whether input {@code i} wants a gradient; when false, its backward work can be skipped. */
    public boolean needsGrad(int i) {
        return inputNodes[i] != null || inputLeaves[i] != null;
    }

    /** A tensor saved by the forward pass. */
    public Tensor saved(int i) {
        if (released) {
            throw new IllegalStateException(op + ": the tensors saved for backward were released by an earlier backward; "
                    + "call backward(gradient, true) to keep them");
        }
        return saved[i];
    }

    /** A tensor the forward pass saved under a name ({@link Tape#record(String, Tensor, Tensor[], Saved, Backward)}). */
    public Tensor saved(String name) {
        for (int i = 0; savedNames != null && i < savedNames.length; i++) {
            if (savedNames[i].equals(name)) {
                return saved(i);
            }
        }
        throw new IllegalArgumentException(op + ": nothing was saved as '" + name + "' (saved: "
                + (savedNames == null ? "nothing by name" : String.join(", ", savedNames)) + ")");
    }

    Node inputNode(int i) {
        return inputNodes[i];
    }

    Tensor inputLeaf(int i) {
        return inputLeaves[i];
    }

    Tensor[] runBackward(Tensor gradOutput) {
        return backward.apply(gradOutput, this);
    }

    void release() {
        saved = null;
        released = true;
    }

    /** Whether the saved tensors are gone (for tests of memory release). */
    public boolean isReleased() {
        return released;
    }
}
