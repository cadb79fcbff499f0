package dev.mmict.ops.config;

/**
 * Checkpoints written while {@code mmict train} runs, which of them retention keeps, and resuming
 * from them (see {@code docs/checkpoints.md}).
 *
 * @param dir the checkpoint root; empty means {@code <out>/checkpoints} of the run
 * @param every write a checkpoint every this many steps; 0 writes only the last step's
 * @param keep how many of the newest checkpoints retention keeps
 * @param keepBest how many checkpoints with the lowest {@code val_loss} retention keeps besides the
 *     newest {@code keep}; 0 keeps only the newest
 * @param validationSamples validation queries the {@code val_loss} of every checkpoint is computed
 *     on (teacher-forced, no gradients); 0 computes none, so retention keeps only the newest
 * @param resume continue from the newest valid checkpoint in {@code dir} ({@code train --resume})
 */
public record CheckpointConfig(
        String dir,
        @Range(min = 0) int every,
        @Range(min = 1) int keep,
        @Range(min = 0) int keepBest,
        @Range(min = 0, max = 100_000) int validationSamples,
        boolean resume) {

    /** Every 100 steps, the last 3 and the best 1 by val_loss on 32 validation queries kept, no resume. */
    public static CheckpointConfig defaults() {
        return new CheckpointConfig("", 100, 3, 1, 32, false);
    }
}
