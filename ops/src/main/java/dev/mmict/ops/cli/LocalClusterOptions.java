package dev.mmict.ops.cli;

import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Where {@code train} and {@code demo} fine-tune: on an embedded local cluster (the coordinator in
 * the command's process, {@code --workers N} worker JVMs on loopback; the default) or, with
 * {@code --workers 0}, in the command's own process.
 */
public final class LocalClusterOptions {

    /** Worker JVMs of the embedded cluster when {@code --workers} is not given. */
    public static final int DEFAULT_WORKERS = 2;

    @Option(names = "--workers", paramLabel = "N", defaultValue = "" + DEFAULT_WORKERS,
            description = {"Fine-tune on a local cluster: the coordinator in this process and N worker JVMs on",
                "loopback (default ${DEFAULT-VALUE}); 0 trains in this process, without a cluster."})
    int workers;

    @Option(names = "--deterministic",
            description = "On a cluster: exact fixed-point gradient exchange, so the result is bitwise the same"
                    + " for any number of workers.")
    boolean deterministic;

    @Option(names = "--micro-batch-size", paramLabel = "M",
            description = "On a cluster: queries per micro-batch, dividing trainer.batchSize (default: up to 4).")
    Integer microBatchSize;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "3600",
            description = "On a cluster: a run fails after this long (default ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    /** True when training runs on an embedded cluster. */
    boolean onCluster() {
        return workers > 0;
    }

    /** The cluster request for {@code maxSteps} (null: trainer.steps); call {@link #check} first. */
    ClusterRequest request(Integer maxSteps) {
        return new ClusterRequest(workers, deterministic, maxSteps, microBatchSize, timeoutSeconds);
    }

    /**
     * Checks the combination: a negative worker count, or cluster-only options with
     * {@code --workers 0}, is a usage error of {@code command} naming the options.
     */
    void check(CommandLine command) {
        if (workers < 0) {
            throw new ParameterException(command, "--workers must be 0 (in this process) or more, got " + workers);
        }
        if (workers == 0 && (deterministic || microBatchSize != null)) {
            throw new ParameterException(command, "--deterministic and --micro-batch-size need a cluster (--workers 1"
                    + " or more); --workers 0 trains in this process");
        }
    }
}
