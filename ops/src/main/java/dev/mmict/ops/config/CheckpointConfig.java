package dev.mmict.ops.config;

/**
 * Checkpoints written while {@code mmict train} runs, and resuming from them (see
 * {@code docs/checkpoints.md}).
 *
 * @param dir the checkpoint root; empty means {@code <out>/checkpoints} of the run
 * @param every write a checkpoint every this many steps; 0 writes only the last step's
 * @param keep how many of the newest checkpoints retention keeps
 * @param resume continue from the newest valid checkpoint in {@code dir} ({@code train --resume})
 */
public record CheckpointConfig(
        String dir,
        @Range(min = 0) int every,
        @Range(min = 1) int keep,
        boolean resume) {

    /** Every 100 steps, the last 3 kept, no resume. */
    public static CheckpointConfig defaults() {
        return new CheckpointConfig("", 100, 3, false);
    }
}
