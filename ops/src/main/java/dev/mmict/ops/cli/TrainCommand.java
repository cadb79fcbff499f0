package dev.mmict.ops.cli;

import dev.mmict.ops.CommandFailure;
import dev.mmict.ops.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code mmict train}: one fine-tuning run. */
@Command(name = "train",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {"Fine-tune a model with Multi-Modal In-Context Tuning (or a baseline) as the configuration says.",
            "It trains on a local cluster of worker JVMs (--workers, default 2) or in this process (--workers 0)."},
        footer = {
            "%nExamples:",
            "  mmict train --config run.yaml",
            "  mmict train --config run.yaml --set trainer.lr=3e-4 --set data.shots=4",
            "  mmict train --config run.yaml --out runs/lr-3e-4",
            "  mmict train --config run.yaml --out runs/lr-3e-4 --resume   # continue after a stop",
            "  mmict train --config run.yaml --dry-run      # check the configuration only",
            "  mmict train --workers 3 --deterministic --max-steps 20   # a local cluster of 3 worker JVMs",
            "  mmict train --workers 0 --config run.yaml   # in this process, without a cluster",
            "  mmict train --config run.yaml --out runs/a --stop-at 50   # first 50 steps of the full schedule",
            "  mmict train --workers 0 --out runs/c --stop-at 50         # the same in this process",
            "  mmict train --workers 0 --out runs/c --resume             # continue it from its newest checkpoint"
        })
final class TrainCommand extends RunCommand {

    @Option(names = "--resume",
            description = {"Continue from the newest valid checkpoint in checkpoint.dir (default <out>/checkpoints);",
                "same as --set checkpoint.resume=true. Pass the stopped run's --out."})
    boolean resume;

    @Mixin
    LocalClusterOptions cluster;

    @Option(names = "--max-steps", paramLabel = "N", description = "On a cluster: steps to train (default: trainer.steps).")
    Integer maxSteps;

    @Option(names = "--stop-at", paramLabel = "STEP",
            description = {"Stop once STEP of trainer.steps steps are done (the learning-rate schedule still spans",
                "all of them), checkpoint and evaluate there; continue later with --resume. Used by mmict sweep."})
    Integer stopAt;

    @Option(names = "--parent-pid", paramLabel = "PID", hidden = true,
            description = "Exit at once when process PID ends (a sweep's trial never outlives the sweep).")
    long parentPid;

    @Option(names = "--pool-announce", paramLabel = "FILE", hidden = true,
            description = "A sweep's trial on its worker pool: start no worker JVMs; write where to join to FILE and"
                    + " wait for --workers workers started elsewhere.")
    java.nio.file.Path poolAnnounce;

    @Option(names = "--pool-host", paramLabel = "HOST", hidden = true, defaultValue = "127.0.0.1",
            description = "With --pool-announce: the address the coordinator binds, one the pool's workers reach"
                    + " (default ${DEFAULT-VALUE}).")
    String poolHost;

    TrainCommand(Operations operations) {
        super(operations);
    }

    @Override
    public Integer call() throws Exception {
        if (resume) {
            options.overrides.add("checkpoint.resume=true");
        }
        if (stopAt != null && maxSteps != null) {
            throw new ParameterException(spec.commandLine(), "--stop-at and --max-steps exclude each other: --stop-at S"
                    + " trains to S with the schedule of trainer.steps, --max-steps N trains N steps");
        }
        if (parentPid > 0) {
            ParentWatch.exitWhenGone(parentPid);
        }
        return super.call();
    }

    @Override
    protected void execute(RunRequest request) throws Exception {
        cluster.check(spec.commandLine());
        if (!cluster.onCluster() && poolAnnounce != null) {
            throw new ParameterException(spec.commandLine(), "--pool-announce needs --workers 1 or more");
        }
        if (!cluster.onCluster() && maxSteps != null) {
            throw new ParameterException(spec.commandLine(), "--max-steps needs a cluster (--workers 1 or more);"
                    + " in this process use --stop-at or trainer.steps");
        }
        if (stopAt != null) {
            int steps = request.config().trainer().steps();
            if (stopAt < 1 || stopAt > steps) {
                throw new CommandFailure(ExitCodes.USAGE_ERROR, "--stop-at " + stopAt + " is outside 1.." + steps
                        + " (trainer.steps)", null);
            }
        }
        if (cluster.onCluster()) {
            // With --stop-at the learning-rate schedule still spans trainer.steps (ClusterJob); the
            // coordinator checkpoints at S.
            ClusterRequest onCluster = cluster.request(stopAt != null ? stopAt : maxSteps);
            operations.trainOnCluster(request, poolAnnounce == null ? onCluster
                    : onCluster.withExternalWorkers(poolAnnounce, poolHost));
        } else if (stopAt != null) {
            operations.trainUntil(request, stopAt);
        } else {
            operations.train(request);
        }
    }
}
