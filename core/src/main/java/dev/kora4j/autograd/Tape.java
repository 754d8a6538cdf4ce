package dev.kora4j.autograd;

import dev.kora4j.tensor.Tensor;

/** How an op records itself: attach a node to its output when any input wants a gradient. */
public final class Tape {
    private Tape() {}

    /** Whether an op on these inputs must record (grad mode on and some input requires grad). */
    public static boolean wantsGrad(Tensor... inputs) {
        if (!GradMode.isEnabled()) {
            return false;
        }
        for (Tensor t : inputs) {
            if (t != null && t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Records {@code output} as made by {@code op} from {@code inputs}; {@code saved} are the
     * tensors its backward reads through {@link Node#saved(int)}. Returns {@code output}.
     */
    public static Tensor record(String op, Tensor output, Tensor[] inputs, Tensor[] saved, Backward backward) {
        if (Profile.ENABLED) {
            Profile.forward(op);
        }
        return attach(op, output, inputs, saved, null, backward);
    }

    /** As above, with the saved tensors named: backward reads them with {@link Node#saved(String)}. */
    public static Tensor record(String op, Tensor output, Tensor[] inputs, Saved saved, Backward backward) {
        if (Profile.ENABLED) {
            Profile.forward(op);
        }
        return attach(op, output, inputs, saved.tensors(), saved.names(), backward);
    }

    public static Tensor record(String op, Tensor output, Tensor[] inputs, Backward backward) {
        return record(op, output, inputs, new Tensor[0], backward);
    }

    /** Records a view op (no computation): the profile counts it but charges it no time. */
    public static Tensor recordView(String op, Tensor output, Tensor input, Backward backward) {
        if (Profile.ENABLED) {
            Profile.view(op);
        }
        return attach(op, output, new Tensor[] {input}, new Tensor[0], null, backward);
    }

    private static Tensor attach(String op, Tensor output, Tensor[] inputs, Tensor[] saved, String[] names, Backward backward) {
        if (wantsGrad(inputs)) {
            output.attachGradFn(new Node(op, inputs, saved, names, backward));
        }
        return output;
    }
}
