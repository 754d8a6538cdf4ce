package dev.kora4j.autograd;

import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;
import java.util.Arrays;

/**
 * An op written by its user, forward and backward in Java, as PyTorch's {@code torch.autograd.Function}.
 * Nothing is registered: {@link #apply} runs it and records it on the tape like any built-in op.
 *
 * <p>{@link #forward} sees its inputs detached and records nothing; it saves what backward reads
 * with {@link Context#save}. {@link #backward} gets the gradient of the output and returns one
 * gradient per input, shaped like it (null where {@link Context#needsGrad} is false). Both may use
 * any tensor op, so the op runs on every backend through the backend's primitives; a forward may
 * also branch to a loop of its own for one device and dtype (the README's "Extending the engine").
 * {@link GradCheck} checks the backward like any other.
 */
public interface CustomOp {
    Tensor forward(Context ctx, Tensor... inputs);

    Tensor[] backward(Context ctx, Tensor gradOutput);

    /** op(inputs), recorded on the tape under {@code name}. */
    static Tensor apply(String name, CustomOp op, Tensor... inputs) {
        Tensor[] detached = Arrays.stream(inputs).map(t -> t == null ? null : t.detach()).toArray(Tensor[]::new);
        boolean[] wanted = new boolean[inputs.length]; // read before forward's no-grad scope
        for (int i = 0; i < inputs.length; i++) {
            wanted[i] = Tape.wantsGrad(inputs[i]);
        }
        Context forwardCtx = new Context(name, wanted, null);
        Tensor out;
        try (var scope = GradMode.noGrad()) {
            out = op.forward(forwardCtx, detached);
        }
        if (out == null) {
            throw new IllegalStateException(name + ": forward returned no tensor");
        }
        for (Tensor in : detached) {
            if (in != null && out == in) {
                out = out.detach(); // an input returned as is: the output still needs a node of its own
            }
        }
        int[][] shapes = Arrays.stream(inputs).map(t -> t == null ? null : t.shape()).toArray(int[][]::new);
        return Tape.record(name, out, inputs, forwardCtx.saved, (g, node) -> {
            Tensor[] grads = op.backward(new Context(name, null, node), g);
            checkGradients(name, grads, shapes, node);
            return grads;
        });
    }

    private static void checkGradients(String name, Tensor[] grads, int[][] shapes, Node node) {
        if (grads == null || grads.length != shapes.length) {
            throw new IllegalStateException(name + ": backward returned " + (grads == null ? "no array" : grads.length + " gradients")
                    + " for " + shapes.length + " inputs");
        }
        for (int i = 0; i < grads.length; i++) {
            if (grads[i] != null && node.needsGrad(i) && !Arrays.equals(grads[i].shape(), shapes[i])) {
                throw Shape.mismatch(name, grads[i].shape(), shapes[i], "differ: backward's gradient " + i + " must have its input's shape");
            }
        }
    }

    /** What forward and backward of one call share: the saved tensors, and which inputs want gradients. */
    final class Context {
        private final String name;
        private final boolean[] wanted;
        private final Node node;
        private final Saved saved = Saved.of();

        private Context(String name, boolean[] wanted, Node node) {
            this.name = name;
            this.wanted = wanted;
            this.node = node;
        }

        /** In forward: keeps t (detached) for backward under a name. */
        public void save(String key, Tensor t) {
            if (node != null) {
                throw new IllegalStateException(name + ": save is for forward; backward reads with saved");
            }
            saved.put(key, t == null ? null : t.detach());
        }

        /** In backward: the tensor forward saved under a name. */
        public Tensor saved(String key) {
            if (node == null) {
                throw new IllegalStateException(name + ": saved is for backward; forward keeps with save");
            }
            return node.saved(key);
        }

        /** Whether input i wants a gradient (in backward: skip its work when it does not). */
        public boolean needsGrad(int i) {
            return node != null ? node.needsGrad(i) : wanted[i];
        }
    }
}
