package dev.kora4j.optim;

/**
 * Linear warm-up to the base rate, then a cosine decay to the minimum:
 * lr(s) = base·(s+1)/warmup for s < warmup, else min + ½(base − min)(1 + cos(π·(s − warmup)/(total − warmup))).
 */
public record CosineSchedule(double baseLr, double minLr, int warmupSteps, int totalSteps) {
    public CosineSchedule {
        if (warmupSteps < 0 || totalSteps <= 0 || warmupSteps > totalSteps) {
            throw new IllegalArgumentException("cosine schedule: need 0 ≤ warmup ≤ total and total > 0 (warmup "
                    + warmupSteps + ", total " + totalSteps + ")");
        }
    }

    /** The rate for step s (0-based). */
    public double lr(int step) {
        if (step < warmupSteps) {
            return baseLr * (step + 1) / warmupSteps;
        }
        int decaySteps = totalSteps - warmupSteps;
        double progress = decaySteps == 0 ? 1 : Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
        return minLr + 0.5 * (baseLr - minLr) * (1 + Math.cos(Math.PI * progress));
    }

    /** Sets the optimizer's rate for step s. */
    public void apply(Optimizer optimizer, int step) {
        optimizer.setLearningRate(lr(step));
    }
}
