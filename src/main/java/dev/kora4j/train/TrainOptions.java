package dev.kora4j.train;

/**
 * How a run trains: AdamW (PyTorch's betas and eps) with a cosine schedule after a linear warm-up,
 * optional gradient clipping and label smoothing, a seed that fixes every random choice, and a
 * checkpoint every so many steps (and at the end of each epoch).
 *
 * @param warmupSteps   linear warm-up steps (0: none)
 * @param minLr         where the cosine ends
 * @param clipNorm      clip the gradient norm to this (0: no clipping)
 * @param checkpointEvery steps between checkpoints (0: only at epoch ends)
 * @param shuffle       a new order each epoch (the seed notebook's transfer does not shuffle)
 */
public record TrainOptions(int epochs, int batch, double lr, double weightDecay, int warmupSteps, double minLr,
                           double clipNorm, double labelSmoothing, long seed, int checkpointEvery, int workers, boolean shuffle) {
    public TrainOptions {
        if (epochs < 1 || batch < 1 || !(lr > 0) || weightDecay < 0 || warmupSteps < 0 || minLr < 0 || clipNorm < 0
                || labelSmoothing < 0 || labelSmoothing >= 1 || checkpointEvery < 0 || workers < 0) {
            throw new IllegalArgumentException("training options out of range: " + this);
        }
    }

    /** The seed notebook's settings: AdamW lr 1e-4, weight decay 0.01, batch 32, 5 epochs, no schedule. */
    public static TrainOptions seedNotebook(long seed) {
        return new TrainOptions(5, 32, 1e-4, 0.01, 0, 1e-4, 0, 0, seed, 0, 2, true);
    }
}
