package dev.mmict.ops.cli;

/**
 * How {@code mmict train --workers N} runs on a local cluster instead of in one process.
 *
 * @param workers worker JVMs to start
 * @param deterministic exact fixed-point gradient exchange: the result does not depend on the
 *     number of workers
 * @param maxSteps steps to train instead of {@code trainer.steps} (null: the config's)
 * @param microBatchSize queries per micro-batch (null: the largest divisor of the batch size up
 *     to 4)
 * @param timeoutSeconds the run fails after this long
 */
public record ClusterRequest(int workers, boolean deterministic, Integer maxSteps, Integer microBatchSize,
        long timeoutSeconds) {
}
