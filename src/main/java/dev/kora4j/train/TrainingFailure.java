package dev.kora4j.train;

/** A run that cannot go on (a NaN or infinite loss); the message names the step and the checkpoint kept. */
public final class TrainingFailure extends RuntimeException {
    public TrainingFailure(String message) {
        super(message);
    }
}
