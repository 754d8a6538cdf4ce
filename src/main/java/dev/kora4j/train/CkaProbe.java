package dev.kora4j.train;

import dev.kora4j.autograd.GradMode;
import dev.kora4j.data.BatchLoader;
import dev.kora4j.data.Dataset;
import dev.kora4j.data.Transform;
import dev.kora4j.metrics.CkaMatrix;
import dev.kora4j.metrics.LinearCka;
import dev.kora4j.peft.PeftModel;
import dev.kora4j.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Linear CKA between the outputs of every pair of blocks, on the first N images of a split (the seed
 * used the first 32 CIFAR-100 test images): once with the class token, once with the mean token.
 */
public final class CkaProbe {
    private CkaProbe() {}

    /** The class-token matrix and the mean-token matrix. */
    public record Result(CkaMatrix classToken, CkaMatrix meanToken) {}

    public static Result measure(PeftModel model, Dataset data, Transform transform, int images) {
        int n = Math.min(images, data.size());
        int[] first = new int[n];
        for (int i = 0; i < n; i++) {
            first[i] = i;
        }
        model.train(false);
        List<Tensor> outputs = new ArrayList<>();
        try (BatchLoader loader = BatchLoader.builder(data, transform).indices(first).batchSize(n).shuffle(false).workers(0).build();
             GradMode.Scope scope = GradMode.noGrad()) {
            model.vit().forwardFeatures(loader.epoch(0).next().images().to(model.vit().device()), outputs::add);
        }
        List<String> labels = new ArrayList<>();
        List<double[][]> cls = new ArrayList<>(), mean = new ArrayList<>();
        for (int b = 0; b < outputs.size(); b++) {
            labels.add("block " + b);
            cls.add(LinearCka.features(outputs.get(b).select(1, 0)));
            mean.add(LinearCka.features(outputs.get(b).mean(false, 1)));
        }
        return new Result(LinearCka.matrix(labels, cls), LinearCka.matrix(labels, mean));
    }
}
