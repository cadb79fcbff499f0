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
 * @param externalWorkers null: start the worker JVMs; otherwise start none and announce the run
 *     for {@code workers} workers of a sweep's pool
 */
public record ClusterRequest(int workers, boolean deterministic, Integer maxSteps, Integer microBatchSize,
        long timeoutSeconds, dev.mmict.ops.cluster.ExternalWorkers.Invitation externalWorkers) {

    /** A request whose worker JVMs the cluster starts. */
    public ClusterRequest(int workers, boolean deterministic, Integer maxSteps, Integer microBatchSize,
            long timeoutSeconds) {
        this(workers, deterministic, maxSteps, microBatchSize, timeoutSeconds, null);
    }

    /**
     * This request with its workers started elsewhere, the run announced in {@code file}, the
     * coordinator bound to {@code host} (an address those workers reach).
     */
    public ClusterRequest withExternalWorkers(java.nio.file.Path file, String host) {
        return new ClusterRequest(workers, deterministic, maxSteps, microBatchSize, timeoutSeconds,
                new dev.mmict.ops.cluster.ExternalWorkers.Invitation(file, host));
    }
}
