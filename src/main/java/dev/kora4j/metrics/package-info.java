/**
 * What a run measures: the confusion matrix with accuracy and scikit-learn's F1 (weighted and macro),
 * the label-collapse check of the seed protocol, linear CKA between feature matrices, and parameter
 * counts. Everything is computed in double on the CPU from plain arrays; {@link
 * dev.kora4j.metrics.Predictions} turns tensors into those arrays.
 *
 * <p>A trainer's evaluation loop:
 *
 * <pre>{@code
 * ConfusionMatrix cm = new ConfusionMatrix(numClasses);
 * for (Batch b : loader) {
 *     Tensor logits = model.forward(b.images());
 *     cm.addAll(Predictions.labels(b.labels()), Predictions.argmax(logits));
 * }
 * Evaluation eval = Evaluation.of(cm, meanLoss);   // accuracy, weighted and macro F1, label check
 * }</pre>
 */
package dev.kora4j.metrics;
