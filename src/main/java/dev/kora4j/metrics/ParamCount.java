package dev.kora4j.metrics;

import dev.kora4j.tensor.Tensor;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * How many parameters a model has and how many of them train.
 *
 * @param trainable parameters the optimiser updates
 * @param total all parameters of the model, trainable or frozen
 */
public record ParamCount(long trainable, long total) {
    public ParamCount {
        if (total < 1 || trainable < 0 || trainable > total) {
            throw new IllegalArgumentException("need 0 ≤ trainable ≤ total and total ≥ 1, got trainable " + trainable + ", total " + total);
        }
    }

    /**
     * Counts a model's parameters as the seed does: all of them, and those that require a gradient,
     * e.g. {@code ParamCount.of(model.parameters())}. Each tensor is counted once, even if listed twice.
     */
    public static ParamCount of(Collection<Tensor> parameters) {
        long total = 0, trainable = 0;
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Tensor p : parameters) {
            if (seen.add(p)) {
                total += p.numel();
                trainable += p.requiresGrad() ? p.numel() : 0;
            }
        }
        return new ParamCount(trainable, total);
    }

    /** trainable / total. */
    public double fraction() {
        return (double) trainable / total;
    }

    /** 100 · trainable / total, the "Params Tuned (%)" of the seed's tables. */
    public double percent() {
        return fraction() * 100;
    }

    /**
     * The three lines the seed notebook prints, e.g. for its KoRA run:
     *
     * <pre>
     * Total Parameters: 88.16M
     * Trainable Parameters (KORA): 1.59M
     * Efficiency Ratio: 1.8038%
     * </pre>
     *
     * @param method upper-cased as the seed does ({@code CONFIG['model_type'].upper()})
     */
    public String seedLines(String method) {
        return "Total Parameters: " + PythonFormat.fixed(total / 1e6, 2) + "M\n"
                + "Trainable Parameters (" + method.toUpperCase(java.util.Locale.ROOT) + "): " + PythonFormat.fixed(trainable / 1e6, 2) + "M\n"
                + "Efficiency Ratio: " + PythonFormat.percent(fraction(), 4);
    }
}
