package example;

import dev.kora4j.nn.Linear;
import dev.kora4j.nn.Module;
import dev.kora4j.ops.CrossEntropy;
import dev.kora4j.optim.AdamW;
import dev.kora4j.tensor.Rng;
import dev.kora4j.tensor.Tensor;
import java.util.List;

/**
 * The README's MLP (Linear → GELU → Linear, cross-entropy, AdamW) trained by a program that uses
 * only the kora4j-core library: 512 points in 16 dimensions, labelled by a random linear teacher
 * into 4 classes. Exits with status 1 if it has not learnt them.
 */
public final class TrainMlp extends Module {
    private final Linear fc1;
    private final Linear fc2;

    TrainMlp(Rng rng) {
        fc1 = child("fc1", new Linear(16, 32, true, rng));
        fc2 = child("fc2", new Linear(32, 4, true, rng));
    }

    Tensor forward(Tensor x) {
        return fc2.forward(fc1.forward(x).gelu());
    }

    public static void main(String[] args) {
        Rng rng = new Rng(42);
        Tensor x = Tensor.randn(rng, 512, 16);
        float[] teacher = Tensor.randn(rng, 16, 4).toFloatArray();
        int[] labels = argmaxRows(x.matmul(Tensor.of(teacher, 16, 4)).toFloatArray(), 4);

        TrainMlp model = new TrainMlp(rng);
        AdamW optimizer = new AdamW(List.copyOf(model.trainableParameters().values()), 0.01);
        double first = 0, last = 0;
        for (int step = 0; step < 300; step++) {
            optimizer.zeroGrad();
            Tensor loss = CrossEntropy.crossEntropy(model.forward(x), labels);
            loss.backward();
            optimizer.step();
            last = loss.item();
            if (step == 0) {
                first = last;
            }
        }
        int[] predicted = argmaxRows(model.forward(x).detach().toFloatArray(), 4);
        int right = 0;
        for (int i = 0; i < labels.length; i++) {
            right += predicted[i] == labels[i] ? 1 : 0;
        }
        double accuracy = right / (double) labels.length;
        System.out.printf("TrainMlp: loss %.4f -> %.4f after 300 steps, training accuracy %.3f%n", first, last, accuracy);
        if (!(last < first / 4 && accuracy > 0.9)) {
            System.err.println("TrainMlp: the MLP did not learn its teacher");
            System.exit(1);
        }
    }

    private static int[] argmaxRows(float[] values, int cols) {
        int[] out = new int[values.length / cols];
        for (int r = 0; r < out.length; r++) {
            for (int c = 1; c < cols; c++) {
                if (values[r * cols + c] > values[r * cols + out[r]]) {
                    out[r] = c;
                }
            }
        }
        return out;
    }
}
