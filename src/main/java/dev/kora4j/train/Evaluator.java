package dev.kora4j.train;

import dev.kora4j.autograd.GradMode;
import dev.kora4j.data.Batch;
import dev.kora4j.data.BatchLoader;
import dev.kora4j.data.Dataset;
import dev.kora4j.data.Transform;
import dev.kora4j.metrics.Evaluation;
import dev.kora4j.metrics.ImagePredictions;
import dev.kora4j.metrics.Predictions;
import dev.kora4j.ops.CrossEntropy;
import dev.kora4j.peft.PeftModel;
import dev.kora4j.tensor.BufferPool;
import dev.kora4j.tensor.Tensor;
import dev.kora4j.tensor.Uploader;

/**
 * Loss, accuracy, weighted and macro F1 with their intervals, and every image's prediction, of a model
 * on a data set (no dropout, no tape).
 */
public final class Evaluator {
    private Evaluator() {}

    public static Evaluation evaluate(PeftModel model, Dataset data, Transform transform, int batch, int workers, String task) {
        model.train(false);
        int classes = model.vit().head().outFeatures();
        int[] labels = new int[data.size()], predicted = new int[data.size()];
        int seen = 0;
        double lossSum = 0;
        BufferPool pool = new BufferPool();
        try (BatchLoader loader = BatchLoader.builder(data, transform).batchSize(batch).shuffle(false).workers(workers).build();
             Progress progress = Progress.open(task, data.size(), "img");
             Uploader uploads = Uploader.to(model.vit().device());
             GradMode.Scope scope = GradMode.noGrad()) {
            for (Batch b : loader.epoch(0)) {
                try (var step = pool.step()) {
                    Tensor logits = model.forward(uploads.upload(b.images()));
                    int[] batchLabels = b.labels();
                    // a label the head cannot output (seed protocol: another class count) still counts as wrong
                    if (allWithin(batchLabels, classes)) {
                        lossSum += CrossEntropy.crossEntropy(logits, batchLabels).item() * batchLabels.length;
                    } else {
                        lossSum = Double.NaN;
                    }
                    // batches come in the data set's order (no shuffling), so image i is row i of the predictions
                    System.arraycopy(batchLabels, 0, labels, seen, batchLabels.length);
                    System.arraycopy(Predictions.argmax(logits), 0, predicted, seen, batchLabels.length);
                    seen += batchLabels.length;
                }
                progress.advance(b.labels().length);
            }
        }
        return Evaluation.of(new ImagePredictions(labels, predicted), Math.max(classes, data.numClasses()), lossSum / Math.max(1, data.size()));
    }

    private static boolean allWithin(int[] labels, int classes) {
        for (int l : labels) {
            if (l < 0 || l >= classes) {
                return false;
            }
        }
        return true;
    }
}
