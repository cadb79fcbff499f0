package dev.mmict.ops.cli;

import dev.mmict.coordinator.cluster.CoordinatorNode;
import dev.mmict.coordinator.cluster.RunSummary;
import dev.mmict.ops.CommandFailure;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.cluster.ClusterCheckpointing;
import dev.mmict.ops.cluster.ClusterJob;
import dev.mmict.ops.run.TrainCheckpointing;
import dev.mmict.ops.cluster.CoordinatorProcess;
import dev.mmict.ops.cluster.NodeHttp;
import dev.mmict.ops.cluster.RunSummaryFile;
import dev.mmict.ops.cluster.WorkerProcess;
import dev.mmict.ops.config.ConfigLoader;
import dev.mmict.ops.config.RunConfig;
import dev.mmict.protocol.v1.ProtocolVersion;
import dev.mmict.worker.cluster.DataPlane;
import dev.mmict.worker.exchange.FaultyTransport;
import dev.mmict.ops.sweep.PoolLink;
import dev.mmict.ops.sweep.PoolWorkerAgent;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import dev.mmict.worker.cluster.PreemptionWatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The cluster node commands: {@code mmict coordinator} and {@code mmict worker}. */
final class ClusterCommands {

    private ClusterCommands() {
    }

    /** Options both node commands share: the run configuration every node must agree on. */
    abstract static class Node implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        VerboseOption verbose;

        @Mixin
        ClusterOptions cluster;

        @Option(names = "--config", paramLabel = "FILE",
                description = "YAML configuration of the run (every node of a run must use the same one).")
        Path config;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override one configuration key; repeatable.")
        List<String> overrides = new ArrayList<>();

        RunConfig runConfig() {
            return new ConfigLoader().load(RunConfig.class, config, overrides);
        }
    }

    @Command(name = "coordinator", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Start a cluster node that hosts the coordinator singleton and run one training job.",
            footer = {"%nExample:",
                "  mmict coordinator --config run.yaml --port 2551 --workers 2 --max-steps 50",
                "  mmict coordinator --config run.yaml --port 2552 --seed 127.0.0.1:2551 --workers 2 --max-steps 50"
                        + " --standby   # takes over if 2551 dies",
                "  mmict worker --config run.yaml --seed 127.0.0.1:2551 --id worker-1   # on each worker"})
    static final class Coordinator extends Node {
        @Option(names = "--workers", defaultValue = "1",
                description = "Step 0 waits until this many workers registered (default ${DEFAULT-VALUE}).")
        int workers;

        @Option(names = "--max-steps", description = "Steps to train (default: trainer.steps).")
        Integer maxSteps;

        @Option(names = "--micro-batch-size", description = "Queries per micro-batch; divides trainer.batchSize.")
        Integer microBatchSize;

        @Option(names = "--audit", paramLabel = "FILE", defaultValue = "audit.jsonl",
                description = "Sample audit log of committed steps (default ${DEFAULT-VALUE}); the run state"
                        + " is kept beside it as FILE.state.json. A standby must see the same files.")
        Path audit;

        @Option(names = "--standby",
                description = "Join a running cluster (--seed) as a standby: when the active coordinator's node dies,"
                        + " take its run over from the audit and the run state instead of starting a new run.")
        boolean standby;

        @Option(names = "--summary", paramLabel = "FILE",
                description = "Write the run's summary as JSON to FILE when this node's coordinator ends the run.")
        Path summary;

        @Option(names = "--parent-pid", defaultValue = "0", hidden = true,
                description = "Stop when this process ends (set by local test clusters).")
        long parentPid;

        @Option(names = "--out", paramLabel = "DIR",
                description = {"The run's checkpoints go to checkpoint.dir, or DIR/checkpoints (default DIR: the"
                        + " directory of --audit), every checkpoint.every steps and after the last, as with train.",
                    "Resume with --set checkpoint.resume=true, and each worker with --resume-from CHECKPOINT."})
        Path outDir;

        @Override
        public Integer call() throws Exception {
            if (standby && cluster.seeds.isEmpty()) {
                throw CommandFailure.clusterError("a standby coordinator needs --seed HOST:PORT of a node of the"
                        + " running cluster", null);
            }
            RunConfig config = runConfig();
            ClusterJob job = ClusterJob.of(config, maxSteps, microBatchSize);
            ClusterCheckpointing checkpoints = checkpoints(job);
            try (CoordinatorProcess node = CoordinatorProcess.start(job, new CoordinatorProcess.Options(cluster.host,
                    cluster.port, cluster.seeds, workers, CoordinatorProcess.Options.defaultTimings(),
                    cluster.http(config.metrics()), standby, checkpoints), audit)) {
                PrintWriter out = spec.commandLine().getOut();
                out.println("checkpoints in " + checkpoints.root() + (checkpoints.every() > 0 ? " every "
                        + checkpoints.every() + " steps and" : "") + " after the last step"
                        + checkpoints.resumeFrom().map(c -> "; the run resumes at step " + c.step()
                                + ": start each worker with --resume-from " + c.dir().toAbsolutePath()).orElse(""));
                out.println((standby ? "standby coordinator node at " : "coordinator node at ") + node.seedAddress()
                        + " (workers join with --seed " + node.seedAddress() + ")");
                if (standby) {
                    node.memberUp().thenRun(() -> {
                        out.println("standby coordinator node " + node.seedAddress() + " is up: it takes the run over"
                                + " if the active coordinator's node dies");
                        out.flush();
                    });
                }
                node.httpUri().ifPresent(url -> {
                    out.println(NodeHttp.line(CoordinatorNode.ROLE, node.seedAddress(), url));
                    out.println("status: mmict status --coordinator " + url.getHost() + ":" + url.getPort());
                });
                out.flush();
                RunSummary summary = awaitOutcome(node);
                if (this.summary != null && !node.inheritedAnEndedRun()) {
                    RunSummaryFile.write(this.summary, summary, node.incarnation().orElse(0L));
                }
                out.printf("%s after %d steps (%d aborted): %s; parameters %s%n",
                        summary.completed() ? "completed" : "failed", summary.stepsCommitted(), summary.stepsAborted(),
                        summary.detail(), summary.parameterSha256());
                out.flush();
                if (!summary.completed()) {
                    throw CommandFailure.clusterError(summary.detail(), null);
                }
            }
            return ExitCodes.OK;
        }

        /**
         * Where the run's checkpoints go, as for {@code train}'s embedded coordinator, and with
         * {@code checkpoint.resume} the one it continues from. A standby takes the run over from the
         * audit and run state, so it checks no earlier checkpoints: they are the active node's.
         */
        private ClusterCheckpointing checkpoints(ClusterJob job) throws java.io.IOException {
            Path dir = outDir != null ? outDir
                    : audit.toAbsolutePath().getParent() != null ? audit.toAbsolutePath().getParent() : Path.of(".");
            if (standby) {
                var c = job.config().checkpoint();
                return new ClusterCheckpointing(TrainCheckpointing.root(c, dir), c.every(), c.keep(),
                        java.util.Optional.empty());
            }
            return ClusterCheckpointing.of(job, dir);
        }

        /** The run's summary; a watched parent process that ends first ends this node too. */
        private RunSummary awaitOutcome(CoordinatorProcess node) throws Exception {
            CompletableFuture<Object> parentGone = new CompletableFuture<>();
            if (parentPid > 0) {
                ProcessHandle.of(parentPid).ifPresentOrElse(p -> p.onExit().thenRun(() -> parentGone.complete(p)),
                        () -> parentGone.complete(parentPid));
            }
            CompletableFuture.anyOf(node.outcome(), parentGone).get();
            if (!node.outcome().isDone()) {
                throw CommandFailure.clusterError("the process that started this coordinator (" + parentPid
                        + ") ended", null);
            }
            return node.outcome().get();
        }
    }

    @Command(name = "worker", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
            description = "Start a worker node that joins a cluster and trains until the run ends.",
            footer = {"%nExample:", "  mmict worker --config run.yaml --seed 127.0.0.1:2551 --id worker-1",
                "%nA worker of a sweep's pool, on any machine (docs/sweeps.md):",
                "  mmict worker --pool-join sweep-host:7355 --host 10.0.0.12 --id gpu-box-1"})
    static final class Worker extends Node {
        @Option(names = "--id", description = "Worker id, unique in the run (e.g. worker-1); required except with"
                + " --pool-join (default there: <machine name>-<process id>).")
        String id;

        @Option(names = "--data-port", defaultValue = "0",
                description = "Port of the gradient-exchange data plane; 0 picks a free one (default ${DEFAULT-VALUE}).")
        int dataPort;

        @Option(names = "--registration-timeout", defaultValue = "120",
                description = "Seconds to wait for the coordinator to accept this worker (default ${DEFAULT-VALUE}).")
        long registrationTimeout;

        @Option(names = "--parent-pid", defaultValue = "0", hidden = true,
                description = "Stop when this process ends (set by the embedded cluster).")
        long parentPid;

        @Option(names = "--inject-fault", paramLabel = "KIND@STEP", hidden = true,
                description = "Failure drills and tests: damage this worker's first non-empty gradient chunk in the"
                        + " first attempt of STEP; KIND is drop, corrupt-byte or wrong-size.")
        String injectFault;

        @Option(names = "--join-when", paramLabel = "FILE",
                description = "A warm spare: load the model and join the cluster now, but join the run (register with"
                        + " the coordinator) only once FILE exists.")
        Path joinWhen;

        @Option(names = "--preemption-url", paramLabel = "URL",
                description = {"Poll this preemption-notice URL (a spot instance's metadata endpoint) and leave the run at"
                        + " the next step boundary on a notice: an HTTP 200 whose body is not empty or FALSE. AWS:"
                        + " http://169.254.169.254/latest/meta-data/spot/instance-action; GCE:"
                        + " http://metadata.google.internal/computeMetadata/v1/instance/preempted"})
        URI preemptionUrl;

        @Option(names = "--preemption-poll", paramLabel = "SECONDS", defaultValue = "5",
                description = "Seconds between polls of --preemption-url (default ${DEFAULT-VALUE}).")
        double preemptionPoll;

        @Option(names = "--final-state", paramLabel = "FILE",
                description = "When the run completes, write the trainable parameters this worker holds to FILE"
                        + " (safetensors, with their sha256 in the metadata).")
        Path finalState;

        @Option(names = "--resume-from", paramLabel = "DIR",
                description = "A resumed run: load this cluster checkpoint (a step-N directory; every file's sha256 is"
                        + " verified) before joining, and start from its parameters and optimizer state.")
        Path resumeFrom;

        @Option(names = "--protocol-version", hidden = true,
                description = "Compatibility tests: announce this protocol version number instead of this build's.")
        Integer protocolVersion;

        @Option(names = "--pool-join", paramLabel = "HOST:PORT",
                description = {"Serve a sweep's worker pool (mmict sweep with budget.workersPerTrial >= 2): connect to"
                    + " its --pool-listen endpoint and train for trial after trial as the sweep says; no --config or"
                    + " --seed (each trial's come with it). Exits when the sweep ends or refuses it. --host must be"
                    + " an address the sweep's machine reaches."})
        String poolJoin;

        @Option(names = "--pool-join-timeout", paramLabel = "SECONDS", defaultValue = "60",
                description = "With --pool-join: keep trying to connect this long (default ${DEFAULT-VALUE}).")
        long poolJoinTimeout;

        @Override
        public Integer call() throws Exception {
            if (poolJoin != null) {
                return servePool();
            }
            if (id == null) {
                throw new CommandFailure(ExitCodes.USAGE_ERROR, "a worker needs --id (unique in the run)", null);
            }
            if (cluster.seeds.isEmpty()) {
                throw CommandFailure.clusterError("a worker needs --seed HOST:PORT of a node of the cluster", null);
            }
            RunConfig config = runConfig();
            ClusterJob job = ClusterJob.of(config, null, null);
            return WorkerProcess.run(job, new WorkerProcess.Options(id, cluster.host, cluster.port, dataPort,
                    cluster.seeds, cluster.deterministic, Duration.ofSeconds(registrationTimeout), parentPid,
                    parseFault(injectFault), protocolVersion != null ? protocolVersion
                            : ProtocolVersion.PROTOCOL_VERSION_1.getNumber(), joinWhen, cluster.http(config.metrics()),
                    preemption(), finalState, resumeFrom),
                    spec.commandLine().getOut());
        }

        /** Runs the pool agent: joins the sweep's pool at {@code --pool-join} and serves it. */
        private int servePool() throws Exception {
            if (config != null || !cluster.seeds.isEmpty()) {
                throw new CommandFailure(ExitCodes.USAGE_ERROR, "--pool-join takes no --config or --seed: the sweep"
                        + " sends each trial's with its join command", null);
            }
            if (poolJoinTimeout < 0) {
                throw new CommandFailure(ExitCodes.USAGE_ERROR, "--pool-join-timeout must be >= 0 seconds, got "
                        + poolJoinTimeout, null);
            }
            InetSocketAddress endpoint;
            try {
                endpoint = PoolLink.endpoint(poolJoin, "--pool-join");
            } catch (IllegalArgumentException e) {
                throw new CommandFailure(ExitCodes.USAGE_ERROR, e.getMessage(), e);
            }
            if (parentPid > 0) {
                ParentWatch.exitWhenGone(parentPid);
            }
            String workerId = id != null ? id
                    : PoolWorkerAgent.machineName().replaceAll("[^A-Za-z0-9._-]", "-") + "-" + ProcessHandle.current().pid();
            return PoolWorkerAgent.join(new PoolWorkerAgent.Options(workerId, cluster.host, protocolVersion != null
                    ? protocolVersion : ProtocolVersion.PROTOCOL_VERSION_1.getNumber()), endpoint,
                    Duration.ofSeconds(poolJoinTimeout), spec.commandLine().getOut());
        }

        /** The preemption watch the flags ask for, null for none; a bad URL or interval is a usage error. */
        private PreemptionWatcher.Settings preemption() {
            if (preemptionUrl == null) {
                return null;
            }
            try {
                return new PreemptionWatcher.Settings(preemptionUrl,
                        Duration.ofMillis(Math.round(preemptionPoll * 1000)));
            } catch (IllegalArgumentException e) {
                throw new CommandFailure(ExitCodes.USAGE_ERROR, "--preemption-url/--preemption-poll: " + e.getMessage(), e);
            }
        }

        /** {@code KIND@STEP} as a fault, null for none; a malformed value is a usage error. */
        static DataPlane.InjectedFault parseFault(String spec) {
            if (spec == null) {
                return null;
            }
            int at = spec.indexOf('@');
            try {
                if (at <= 0) {
                    throw new IllegalArgumentException("missing '@'");
                }
                FaultyTransport.Fault kind = FaultyTransport.Fault.valueOf(
                        spec.substring(0, at).toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
                return new DataPlane.InjectedFault(kind, Long.parseLong(spec.substring(at + 1)));
            } catch (IllegalArgumentException e) {
                throw new CommandFailure(ExitCodes.USAGE_ERROR, "--inject-fault '" + spec
                        + "' is not KIND@STEP with KIND drop, corrupt-byte or wrong-size (" + e.getMessage() + ")", e);
            }
        }
    }
}
