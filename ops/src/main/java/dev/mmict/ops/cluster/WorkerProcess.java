package dev.mmict.ops.cluster;

import ai.djl.ndarray.NDManager;
import dev.mmict.hub.model.MmictModel;
import dev.mmict.hub.model.ModelStore;
import dev.mmict.ops.CommandFailure;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.config.ConfigLoader;
import dev.mmict.ops.config.MetricsConfig;
import dev.mmict.ops.http.MetricsServer;
import dev.mmict.ops.metrics.RunMetrics;
import dev.mmict.ops.metrics.WorkerMetrics;
import dev.mmict.ops.run.FeatureStores;
import dev.mmict.protocol.v1.ProtocolVersion;
import dev.mmict.storage.checkpoint.Checkpoint;
import dev.mmict.storage.checkpoint.CheckpointException;
import dev.mmict.storage.checkpoint.CheckpointVerifier;
import dev.mmict.worker.cluster.ClusterCheckpoints;
import dev.mmict.worker.cluster.DataPlane;
import dev.mmict.worker.cluster.ReplicaState;
import dev.mmict.worker.cluster.Replica;
import dev.mmict.worker.cluster.WorkerActor;
import dev.mmict.worker.cluster.FinalState;
import dev.mmict.worker.cluster.PreemptionWatcher;
import dev.mmict.worker.cluster.WorkerNode;
import dev.mmict.protocol.v1.LeaveReason;
import org.apache.pekko.actor.ActorRef;
import dev.mmict.worker.exchange.ExchangeSettings;
import dev.mmict.worker.train.DialogBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.cluster.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The body of {@code mmict worker}: loads the replica, opens the data plane, joins the cluster as
 * a worker node and trains until the run ends, the coordinator refuses it, or the process is
 * told to stop (SIGTERM: a graceful leave at the next step boundary).
 */
public final class WorkerProcess {

  private static final Logger LOG = LoggerFactory.getLogger(WorkerProcess.class);

  /**
   * Where the worker runs and how.
   *
   * @param workerId unique in the run
   * @param host the host this node and its data plane listen on (and peers reach it at)
   * @param port the Artery port (0: any free port)
   * @param dataPort the data-plane port (0: any free port)
   * @param seeds cluster seed nodes as host:port
   * @param deterministic exchange exact 64-bit fixed point
   * @param registrationTimeout give up when no coordinator accepts within this
   * @param parentPid stop when this process ends (the embedded cluster's JVM); 0: no parent to watch
   * @param fault a fault to inject into this worker's gradient chunks once (tests, drills); null: none
   * @param protocolVersion the protocol version number to announce (this build's, except in
   *     compatibility tests)
   * @param joinWhen a warm spare: load the model and join the cluster, but register with the
   *     coordinator (join the run) only once this file exists; null: at once
   * @param http where the node serves /metrics and /health/* (port 0: any free port)
   * @param preemption the preemption-notice URL to poll; null: none
   * @param finalState where to write the trainable parameters when the run completes with this
   *     worker holding its final state (safetensors); null: nowhere
   * @param resumeFrom a cluster checkpoint directory to load before registering (a resumed run:
   *     every worker starts from its parameters and optimizer state); null: the backbone's initial
   *     state
   */
  public record Options(String workerId, String host, int port, int dataPort, List<String> seeds,
      boolean deterministic, Duration registrationTimeout, long parentPid, DataPlane.InjectedFault fault,
      int protocolVersion, Path joinWhen, MetricsConfig http, PreemptionWatcher.Settings preemption,
      Path finalState, Path resumeFrom) {

    /** Options of a worker that starts from the backbone's initial state. */
    public Options(String workerId, String host, int port, int dataPort, List<String> seeds,
        boolean deterministic, Duration registrationTimeout, long parentPid, DataPlane.InjectedFault fault,
        int protocolVersion, Path joinWhen, MetricsConfig http, PreemptionWatcher.Settings preemption,
        Path finalState) {
      this(workerId, host, port, dataPort, seeds, deterministic, registrationTimeout, parentPid, fault,
          protocolVersion, joinWhen, http, preemption, finalState, null);
    }

    /** Options without an injected fault or http endpoints, speaking this build's protocol version. */
    public Options(String workerId, String host, int port, int dataPort, List<String> seeds,
        boolean deterministic, Duration registrationTimeout, long parentPid) {
      this(workerId, host, port, dataPort, seeds, deterministic, registrationTimeout, parentPid, null,
          ProtocolVersion.PROTOCOL_VERSION_1.getNumber(), null, new MetricsConfig(false, host, 0), null, null, null);
    }
  }

  private WorkerProcess() { }

  /**
   * Runs the worker until it stops; returns the process exit code. Where its http endpoints are
   * is printed on {@code out}.
   */
  public static int run(ClusterJob job, Options options, PrintWriter out) throws IOException, InterruptedException {
    var config = job.config();
    try (NDManager manager = NDManager.newBaseManager()) {
      ModelStore.Loaded loaded;
      try {
        loaded = ModelStore.load(job.backbone(), manager, config.seed());
      } catch (IOException | RuntimeException e) {
        throw CommandFailure.dataError("cannot load the backbone at " + job.backbone() + ": " + e.getMessage(), e);
      }
      try (MmictModel model = loaded.model()) {
        model.setTrainable(MmictModel.FINETUNED);
        // cache.dir / cache.enabled as on the single-process path: the worker encodes most visuals.
        FeatureStores.attach(config.cache(), model);
        var t = config.trainer();
        Replica.Settings settings = new Replica.Settings(job.mode(), config.model().maxTextTokens(), t.gradClip(),
            t.weightDecay(), options.deterministic());
        try (Replica replica = new Replica(manager, model, new DialogBuilder(loaded.tokenizer(),
                config.model().maxTextTokens()), job.dataset(), settings);
            DataPlane dataPlane = new DataPlane(options.host(), options.dataPort(),
                new ExchangeSettings(64 * 1024, Duration.ofSeconds(20)))) {
          dataPlane.injectFault(options.fault());
          if (options.resumeFrom() != null) {
            loadCheckpoint(job, options.resumeFrom(), replica);
          }
          int code = serve(job, options, replica, dataPlane, out);
          MmictModel.VisualCounts visuals = model.visualCounts();
          LOG.info("worker {}: the vision encoder ran on {} visuals, the feature cache served {}", options.workerId(),
              visuals.encoded(), visuals.served());
          return code;
        }
      }
    }
  }

  /**
   * Puts cluster checkpoint {@code dir} (every file's sha256 verified, this run's model) into
   * {@code replica}: it then holds the state after step {@code step - 1} and registers with it.
   *
   * @throws CommandFailure a data error naming the checkpoint when it is invalid, of another model,
   *     not a cluster checkpoint, or loads to other parameters than it records
   */
  static void loadCheckpoint(ClusterJob job, Path dir, Replica replica) throws IOException {
    Checkpoint cp;
    ClusterCheckpoints.Cursor cursor;
    ReplicaState state;
    try {
      cp = CheckpointVerifier.verify(dir, job.fingerprint()).requireValid();
      cursor = ClusterCheckpoints.cursor(cp);
      state = ClusterCheckpoints.load(cp, replica.parameterNames());
    } catch (CheckpointException e) {
      throw CommandFailure.dataError("cannot resume from " + dir + ": " + e.getMessage(), e);
    }
    String sha;
    try {
      sha = HexFormat.of().formatHex(replica.installState(state));
    } catch (IllegalArgumentException e) {
      throw CommandFailure.dataError("cannot resume from " + dir + ": " + e.getMessage(), e);
    }
    if (!sha.equals(cursor.parametersSha256())) {
      throw CommandFailure.dataError("cannot resume from " + dir + ": its parameters load with sha256 " + sha
          + " but the checkpoint records " + cursor.parametersSha256(), null);
    }
    LOG.info("loaded checkpoint {}: the replica holds the state after step {} ({})", dir, cp.step() - 1, sha);
  }

  private static int serve(ClusterJob job, Options options, Replica replica, DataPlane dataPlane, PrintWriter out)
      throws InterruptedException, IOException {
    ActorSystem system = ActorSystem.create(NodeConfig.SYSTEM_NAME,
        NodeConfig.of(WorkerNode.ROLE, options.host(), options.port()));
    MetricsServer http = null;
    try {
      RunMetrics metrics = new RunMetrics(job.runId(), options.workerId());
      system.actorOf(WorkerMetricsFeed.props(new WorkerMetrics(metrics, dataPlane::bytesSent)), "metrics-feed");
      http = NodeHttp.start(WorkerNode.ROLE, options.workerId(), options.http(), metrics, null, out);
      Cluster.get(system).joinSeedNodes(seedAddresses(options.seeds()));
      CompletableFuture<WorkerActor.Exit> exit = new CompletableFuture<>();
      WorkerActor.Identity identity = new WorkerActor.Identity(options.workerId(), job.fingerprint(),
          Duration.ofSeconds(1), options.registrationTimeout(), Duration.ofSeconds(60), options.protocolVersion());
      if (options.parentPid() > 0) {
        // A worker of an embedded cluster never outlives the JVM that started it.
        ProcessHandle.of(options.parentPid()).ifPresentOrElse(
            parent -> parent.onExit().thenRun(() -> exit.complete(
                new WorkerActor.Exit(false, "the process that started this worker (" + options.parentPid() + ") ended"))),
            () -> exit.complete(new WorkerActor.Exit(false, "parent process " + options.parentPid() + " is gone")));
      }
      if (options.joinWhen() != null) {
        LOG.info("worker {} is a warm spare: it joins the run once {} exists", options.workerId(), options.joinWhen());
        while (!Files.exists(options.joinWhen()) && !exit.isDone() && !system.whenTerminated().isCompleted()) {
          Thread.sleep(100);
        }
      }
      ClusterCheckpoints.Metadata checkpoints = new ClusterCheckpoints.Metadata(
          new ConfigLoader().toYaml(job.config()), job.fingerprint());
      ActorRef worker = WorkerNode.start(system, replica, dataPlane, identity, checkpoints, exit);
      if (options.preemption() != null) {
        // The watcher stops with the process: a notice makes the worker leave at a step boundary.
        PreemptionWatcher.start(options.preemption(), detail -> worker.tell(new WorkerActor.Command.Leave(
            new CompletableFuture<>(), LeaveReason.LEAVE_REASON_PREEMPTION_NOTICE, detail), ActorRef.noSender()));
      }
      LOG.info("worker {} (process {}) started at {}, data plane {}:{}", options.workerId(),
          ProcessHandle.current().pid(), Cluster.get(system).selfAddress(), dataPlane.host(), dataPlane.port());
      CompletableFuture<Object> stopped = CompletableFuture.anyOf(exit,
          system.getWhenTerminated().toCompletableFuture());
      try {
        stopped.get();
      } catch (ExecutionException e) {
        throw new IllegalStateException("worker " + options.workerId() + " stopped abnormally", e.getCause());
      }
      WorkerActor.Exit how = exit.getNow(new WorkerActor.Exit(false, "its cluster node was shut down or downed"));
      if (!how.ok()) {
        throw CommandFailure.clusterError("worker " + options.workerId() + " stopped: " + how.reason(), null);
      }
      if (options.finalState() != null && how.completedRunSteps() > 0) {
        FinalState.write(replica, how.completedRunSteps(), options.finalState());
        LOG.info("worker {}: wrote the run's final trainable parameters to {}", options.workerId(),
            options.finalState());
      }
      return ExitCodes.OK;
    } finally {
      if (http != null) {
        http.close();
      }
      shutdown(system, "worker finished");
    }
  }

  /** Runs the node's coordinated shutdown (leave the cluster) and waits for it, at most a minute. */
  static void shutdown(ActorSystem system, String reason) {
    try {
      CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.unknownReason()).toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("node shutdown ({}) did not complete cleanly: {}", reason, e.toString());
    }
  }

  /** {@code host:port} strings as node addresses of the mmict actor system. */
  static List<Address> seedAddresses(List<String> seeds) {
    return seeds.stream().map(s -> {
      int colon = s.lastIndexOf(':');
      if (colon <= 0) {
        throw CommandFailure.clusterError("seed node '" + s + "' is not host:port", null);
      }
      try {
        return new Address("pekko", NodeConfig.SYSTEM_NAME, s.substring(0, colon),
            Integer.parseInt(s.substring(colon + 1)));
      } catch (NumberFormatException e) {
        throw CommandFailure.clusterError("seed node '" + s + "' has no numeric port", e);
      }
    }).toList();
  }
}
