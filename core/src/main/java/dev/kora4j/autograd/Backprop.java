package dev.kora4j.autograd;

import dev.kora4j.backend.Backends;
import dev.kora4j.ops.Arithmetic;
import dev.kora4j.ops.Copies;
import dev.kora4j.tensor.BufferPool;
import dev.kora4j.tensor.FloatStorage;
import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** Runs the tape backwards: nodes in reverse topological order, gradients summed with +=. */
public final class Backprop {
    private Backprop() {}

    public static void run(Tensor root, Tensor gradient, boolean retainGraph) {
        if (!root.requiresGrad()) {
            throw new IllegalStateException("backward: the tensor does not require grad and has no grad_fn");
        }
        if (gradient == null) {
            if (root.numel() != 1) {
                throw new IllegalArgumentException("backward: a gradient is needed for a non-scalar tensor of shape " + Shape.format(root.shape()));
            }
            gradient = Tensor.ones(root.dtype(), root.device(), root.shape());
        } else {
            checkGradient("backward", root, gradient);
        }
        try (var scope = GradMode.noGrad()) {
            if (root.isLeaf()) {
                accumulateLeaf(root, gradient);
                return;
            }
            Map<Node, Tensor> pending = new IdentityHashMap<>();
            pending.put(root.gradFn(), gradient);
            List<Tensor> consumed = new ArrayList<>();
            for (Node node : topologicalOrder(root.gradFn())) {
                Tensor gradOut = pending.remove(node);
                if (gradOut == null) {
                    continue;
                }
                long started = Profile.ENABLED ? Profile.backwardStarts() : 0;
                Tensor[] gradIns;
                try {
                    gradIns = node.runBackward(gradOut);
                } finally {
                    if (Profile.ENABLED) {
                        Profile.backward(node.op(), System.nanoTime() - started);
                    }
                }
                for (int i = 0; i < node.inputCount(); i++) {
                    if (!node.needsGrad(i)) {
                        continue;
                    }
                    Tensor g = gradIns[i];
                    if (g == null) {
                        throw new IllegalStateException(node.op() + ": backward returned no gradient for input " + i);
                    }
                    if (node.inputLeaf(i) != null) {
                        accumulateLeaf(node.inputLeaf(i), g);
                        consumed.add(g);
                    } else {
                        Tensor earlier = pending.get(node.inputNode(i));
                        pending.put(node.inputNode(i), earlier == null ? g : Arithmetic.add(earlier, g));
                        if (earlier != null) {
                            consumed.add(earlier);
                            consumed.add(g);
                        }
                    }
                }
                if (!retainGraph) {
                    node.release();
                    consumed.add(gradOut);
                    recycleUnshared(consumed, pending.values(), gradient);
                }
                consumed.clear();
            }
        }
    }

    /**
     * Hands the buffers of consumed gradients back to the step's pool (see {@link BufferPool#recycle}),
     * except those whose array a pending gradient or the caller's root gradient still uses (ops'
     * backward may pass a gradient on as it is, or as a view).
     */
    private static void recycleUnshared(List<Tensor> consumed, Collection<Tensor> live, Tensor root) {
        for (Tensor t : consumed) {
            float[] a = floatsOf(t);
            if (a == null || a == floatsOf(root)) {
                continue;
            }
            boolean shared = false;
            for (Tensor other : live) {
                shared |= floatsOf(other) == a;
            }
            if (!shared) {
                BufferPool.recycle(t);
            }
        }
    }

    private static float[] floatsOf(Tensor t) {
        return t.storage() instanceof FloatStorage(float[] a) ? a : null;
    }

    /**
     * leaf.grad += g; the first gradient is copied so that the leaf owns its buffer: the one a
     * recycled gradient left where it fits, else a new one outside any pooled step (it outlives it).
     */
    private static void accumulateLeaf(Tensor leaf, Tensor g) {
        checkGradient("backward", leaf, g);
        if (leaf.grad() == null) {
            Tensor spare = leaf.takeSpareGrad();
            if (spare != null && Arrays.equals(spare.shape(), g.shape()) && spare.dtype() == g.dtype()
                    && spare.device() == g.device() && spare.isContiguous()) {
                Backends.of(g).copy(g, spare);
                leaf.setGrad(spare);
            } else {
                leaf.setGrad(BufferPool.outside(() -> Copies.contiguousCopy(g)));
            }
        } else {
            Arithmetic.addInPlace(leaf.grad(), g);
        }
    }

    private static void checkGradient(String op, Tensor t, Tensor g) {
        if (!Arrays.equals(t.shape(), g.shape())) {
            throw Shape.mismatch(op, t.shape(), g.shape(), "differ: a gradient must have its tensor's shape");
        }
        if (t.dtype() != g.dtype() || t.device() != g.device()) {
            throw new IllegalArgumentException(op + ": gradient is " + g.dtype() + " on " + g.device()
                    + " but its tensor is " + t.dtype() + " on " + t.device());
        }
    }

    /** Nodes reachable from {@code root}, each after every node that feeds gradient into it. */
    private static List<Node> topologicalOrder(Node root) {
        List<Node> postOrder = new ArrayList<>();
        Map<Node, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Node> stack = new ArrayDeque<>();
        ArrayDeque<Integer> nextChild = new ArrayDeque<>();
        stack.push(root);
        nextChild.push(0);
        visited.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Node node = stack.peek();
            int i = nextChild.pop();
            if (i < node.inputCount()) {
                nextChild.push(i + 1);
                Node child = node.inputNode(i);
                if (child != null && visited.put(child, Boolean.TRUE) == null) {
                    stack.push(child);
                    nextChild.push(0);
                }
            } else {
                stack.pop();
                postOrder.add(node);
            }
        }
        Collections.reverse(postOrder);
        return postOrder;
    }
}
