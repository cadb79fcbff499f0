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
 * @param externalWorkers null: start the worker JVMs; otherwise start none and announce the run in
 *     this file for {@code workers} workers of a sweep's pool
 */
public record ClusterRequest(int workers, boolean deterministic, Integer maxSteps, Integer microBatchSize,
        long timeoutSeconds, java.nio.file.Path externalWorkers) {

    /** A request whose worker JVMs the cluster starts. */
    public ClusterRequest(int workers, boolean deterministic, Integer maxSteps, Integer microBatchSize,
            long timeoutSeconds) {
        this(workers, deterministic, maxSteps, microBatchSize, timeoutSeconds, null);
    }

    /** This request with its workers started elsewhere, the run announced in {@code file}. */
    public ClusterRequest withExternalWorkers(java.nio.file.Path file) {
        return new ClusterRequest(workers, deterministic, maxSteps, microBatchSize, timeoutSeconds, file);
    }
}
