package dev.mmict.ops.cli;

/**
 * The work behind the run commands: each subcommand parses its options, resolves and checks the
 * configuration, then calls exactly one of these methods. The lead's implementation wires the
 * hub, storage, worker and coordinator here; tests pass fakes.
 *
 * <p>Throw {@link dev.mmict.ops.CommandFailure} for anticipated failures (data, cluster) so the
 * CLI exits with the right code; {@link InterruptedException} exits 130.
 */
public interface Operations {

    /**
     * Runs the end-to-end demonstration (pre-train, MMICT vs. baselines, report); each fine-tuning
     * runs on a local cluster as {@code cluster} says, or in this process when it is null.
     */
    void demo(RunRequest request, ClusterRequest cluster) throws Exception;

    /** Pre-trains the tiny base model that fine-tuning starts from. */
    void pretrain(RunRequest request) throws Exception;

    /** Fine-tunes a model with the configured method. */
    void train(RunRequest request) throws Exception;

    /**
     * Fine-tunes as {@link #train} but stops once {@code stopAt} of {@code trainer.steps} steps are
     * done (the learning-rate schedule still spans all of them), writes a checkpoint there and
     * evaluates ({@code train --stop-at}: one rung of a sweep trial); implementations that cannot refuse.
     */
    default void trainUntil(RunRequest request, int stopAt) throws Exception {
        throw new dev.mmict.ops.CommandFailure(dev.mmict.ops.ExitCodes.USAGE_ERROR,
                "this build cannot stop a training run early (--stop-at)", null);
    }

    /** Evaluates a model on a task's test split. */
    void eval(RunRequest request) throws Exception;

    /**
     * Fine-tunes on a local cluster of worker processes ({@code train --workers N}); implementations
     * without a cluster refuse.
     */
    default void trainOnCluster(RunRequest request, ClusterRequest cluster) throws Exception {
        throw dev.mmict.ops.CommandFailure.clusterError("this build runs no cluster", null);
    }
}
