package dev.kora4j.ops;

import dev.kora4j.autograd.Tape;
import dev.kora4j.backend.Backends;
import dev.kora4j.backend.BinaryOp;
import dev.kora4j.backend.fused.CrossEntropyKernel;
import dev.kora4j.tensor.Shape;
import dev.kora4j.tensor.Tensor;
import java.util.Arrays;

/**
 * Mean cross-entropy of logits [N, C] against integer labels, optionally label-smoothed: one kernel
 * pass each way where the backend has a {@link CrossEntropyKernel}, else {@link #composed}.
 */
public final class CrossEntropy {
    private CrossEntropy() {}

    public static Tensor crossEntropy(Tensor logits, int[] labels) {
        return crossEntropy(logits, labels, 0.0);
    }

    /** With label smoothing ε the target is (1−ε)·onehot + ε/C (PyTorch's label_smoothing). */
    public static Tensor crossEntropy(Tensor logits, int[] labels, double smoothing) {
        if (logits.rank() != 2 || logits.size(0) != labels.length) {
            throw Shape.mismatch("cross_entropy", logits.shape(), new int[] {labels.length}, "do not match (logits [N, C], labels [N])");
        }
        if (smoothing < 0 || smoothing > 1) {
            throw new IllegalArgumentException("cross_entropy: label smoothing must be in [0, 1], got " + smoothing);
        }
        int classes = logits.size(1);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("cross_entropy: label " + labels[i] + " at row " + i + " is outside [0, " + classes + ")");
            }
        }
        var kernel = Backends.of(logits).kernel(CrossEntropyKernel.class);
        return kernel.isPresent() ? fused(kernel.get(), logits, labels.clone(), smoothing) : composed(logits, labels, smoothing);
    }

    private static Tensor fused(CrossEntropyKernel kernel, Tensor logits, int[] labels, double smoothing) {
        int rows = labels.length;
        Tensor rowLoss = Copies.empty(logits, rows);
        Tensor probs = Copies.empty(logits, logits.shape());
        kernel.crossEntropy(logits.detach().contiguous(), labels, smoothing, rowLoss, probs);
        Tensor loss = Reductions.meanAll(rowLoss);
        // d loss / d logits = (softmax − target) / N, times the incoming scalar gradient
        return Tape.record("cross_entropy", loss, new Tensor[] {logits}, new Tensor[] {probs}, (g, node) -> {
            Tensor dlogits = Copies.empty(g, node.saved(0).shape());
            if (g.device().onHeap()) {
                kernel.crossEntropyBackward(node.saved(0), labels, smoothing, g.item() / rows, dlogits);
            } else { // g stays on the device: a pass of its own over the logits instead of a wait for the host
                kernel.crossEntropyBackward(node.saved(0), labels, smoothing, 1.0 / rows, dlogits);
                Backends.of(g).zip(BinaryOp.MUL, dlogits, g.reshape(1, 1).expand(dlogits.shape()), dlogits);
            }
            return new Tensor[] {dlogits};
        });
    }

    /** The same function from primitives, the kernel's oracle: −Σ target·log softmax(logits) / N. */
    static Tensor composed(Tensor logits, int[] labels, double smoothing) {
        int rows = labels.length, classes = logits.size(1);
        double[] target = new double[rows * classes];
        Arrays.fill(target, smoothing / classes);
        for (int i = 0; i < rows; i++) {
            target[i * classes + labels[i]] += 1 - smoothing;
        }
        Tensor t = Tensor.of(target, rows, classes).to(logits.dtype()).to(logits.device()).detach();
        return Softmax.logSoftmax(logits, 1).mul(t).sum().mul(-1.0 / rows);
    }
}
