package dev.mmict.ops.cluster;

import dev.mmict.coordinator.audit.SampleAudit;
import dev.mmict.coordinator.cluster.CoordinatorActor;
import dev.mmict.coordinator.cluster.CoordinatorNode;
import dev.mmict.coordinator.cluster.RunDriver;
import dev.mmict.coordinator.cluster.RunListener;
import dev.mmict.coordinator.cluster.RunSettings;
import dev.mmict.coordinator.cluster.RunSummary;
import dev.mmict.coordinator.membership.Membership;
import dev.mmict.coordinator.plan.StepPlanner;
import dev.mmict.coordinator.recovery.Recovery;
import dev.mmict.coordinator.checkpoint.CheckpointPolicy;
import dev.mmict.coordinator.recovery.ResumePoint;
import dev.mmict.coordinator.recovery.RunStateFile;
import dev.mmict.ops.CommandFailure;
import dev.mmict.ops.config.MetricsConfig;
import dev.mmict.ops.http.MetricsServer;
import dev.mmict.ops.metrics.CoordinatorMetrics;
import dev.mmict.ops.metrics.RunMetrics;
import dev.mmict.storage.dataset.Dataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordinator node in this JVM: joins (or founds) the cluster with the role {@value
 * CoordinatorNode#ROLE} and hosts the coordinator singleton for one {@link ClusterJob}; {@link
 * #outcome()} completes when the run ends.
 *
 * <p><b>Active and standby.</b> The node that starts a run ({@code standby} off) opens the sample
 * audit at once (it must not hold committed steps: that would be another run's, or this run's to
 * take over) and its coordinator writes the run state beside it ({@link RunStateFile}). A standby
 * node ({@code standby} on, same job, same audit path on shared storage) joins the cluster and
 * waits: the singleton moves to it when the active node dies and is downed (or leaves), and only
 * then does it open the audit and the run state and rebuild the run from them ({@link Recovery}).
 */
public final class CoordinatorProcess implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorProcess.class);

  /**
   * Where the coordinator runs and how patient it is.
   *
   * @param host the host Artery listens on
   * @param port the Artery port (0: any free port)
   * @param seeds seed nodes as host:port; empty: this node founds the cluster
   * @param minWorkers step 0 waits for this many workers
   * @param timings step timeout, re-plan delay, progress timeout
   * @param http where the node serves /metrics, /health/* and /status (port 0: any free port)
   * @param standby a standby node: it takes the run over from the audit and run state when the
   *     singleton moves to it, instead of starting a new run
   * @param checkpoints where the run's checkpoints go and the one it resumes from; null: the run
   *     writes none
   */
  public record Options(String host, int port, List<String> seeds, int minWorkers, CoordinatorActor.Timings timings,
      MetricsConfig http, boolean standby, ClusterCheckpointing checkpoints) {

    /** Options of a node whose run writes no checkpoints. */
    public Options(String host, int port, List<String> seeds, int minWorkers, CoordinatorActor.Timings timings,
        MetricsConfig http, boolean standby) {
      this(host, port, seeds, minWorkers, timings, http, standby, null);
    }

    /** Options of the node that starts the run (not a standby). */
    public Options(String host, int port, List<String> seeds, int minWorkers, CoordinatorActor.Timings timings,
        MetricsConfig http) {
      this(host, port, seeds, minWorkers, timings, http, false);
    }

    /** Timings sized for the tiny CPU model. */
    public static CoordinatorActor.Timings defaultTimings() {
      return new CoordinatorActor.Timings(Duration.ofSeconds(120), Duration.ofMillis(500), Duration.ofMinutes(5));
    }
  }

  private final ActorSystem system;
  private final AtomicReference<SampleAudit> audit = new AtomicReference<>();
  private final AtomicReference<RunDriver> driver = new AtomicReference<>();
  private final CompletableFuture<RunSummary> outcome = new CompletableFuture<>();
  private final CompletableFuture<Void> up = new CompletableFuture<>();
  private MetricsServer http;

  private CoordinatorProcess(ActorSystem system, SampleAudit audit) {
    this.system = system;
    this.audit.set(audit);
  }

  /** Starts the node; the sample audit of committed steps is appended to {@code auditFile}. */
  public static CoordinatorProcess start(ClusterJob job, Options options, Path auditFile) throws IOException {
    return start(job, options, auditFile, RunListener.NONE);
  }

  /**
   * As {@link #start(ClusterJob, Options, Path)}; {@code observer} also hears of every attempt and
   * commit (e.g. a progress bar), after the node's metrics do.
   */
  public static CoordinatorProcess start(ClusterJob job, Options options, Path auditFile, RunListener observer)
      throws IOException {
    StepPlanner planner = StepPlanner.forSplit(job.dataset(), Dataset.TRAIN, job.plan());
    RunSettings settings = new RunSettings(job.runId(), job.maxSteps(),
        job.fingerprint(), job.learningRate(), options.minWorkers(), 20);
    RunStateFile stateFile = RunStateFile.besideAudit(auditFile);
    SampleAudit audit = null;
    ResumePoint resume = options.checkpoints() == null ? ResumePoint.fresh() : options.checkpoints().resumePoint();
    if (!options.standby() && resume.nextStep() > 0) {
      // A run resumed from a checkpoint: the steps after it are trained again, so the audit forgets them.
      audit = SampleAudit.open(auditFile);
      long before = audit.lastCommittedStep().orElse(-1);
      audit.rewindAfter(resume.nextStep() - 1);
      if (before < resume.nextStep() - 1) {
        LOG.warn("the sample audit {} records steps up to {} only, but the run resumes at step {}: its epochs"
            + " cannot show every sample once (was the checkpoint copied from another run's output?)", auditFile,
            before, resume.nextStep());
      } else if (before >= resume.nextStep()) {
        LOG.info("sample audit {}: steps {}..{} were committed after the checkpoint; they are dropped and trained"
            + " again", auditFile, resume.nextStep(), before);
      }
    } else if (!options.standby()) {
      audit = SampleAudit.open(auditFile);
      if (audit.lastCommittedStep().isPresent()) {
        long last = audit.lastCommittedStep().getAsLong();
        audit.close();
        throw CommandFailure.clusterError("the sample audit " + auditFile + " already records steps 0.."
            + last + " of a run: start this node with --standby to take that run over, or remove " + auditFile
            + " and " + stateFile.path() + " to start a new run", null);
      }
    }
    ActorSystem system;
    try {
      system = ActorSystem.create(NodeConfig.SYSTEM_NAME,
          NodeConfig.of(CoordinatorNode.ROLE, options.host(), options.port()));
    } catch (RuntimeException e) {
      if (audit != null) {
        audit.close();
      }
      throw e;
    }
    CoordinatorProcess process = new CoordinatorProcess(system, audit);
    Cluster cluster = Cluster.get(system);
    cluster.registerOnMemberUp(() -> process.up.complete(null));
    if (options.seeds().isEmpty()) {
      cluster.join(cluster.selfAddress());
    } else {
      cluster.joinSeedNodes(WorkerProcess.seedAddresses(options.seeds()));
    }
    RunMetrics metrics = new RunMetrics(job.runId(), CoordinatorNode.ROLE);
    CoordinatorMetrics listener = new CoordinatorMetrics(metrics, job.learningRate());
    RunListener listeners = listener.andThen(observer);
    CoordinatorNode.start(system, () -> process.driver(planner, settings, listeners, auditFile, stateFile,
        options.standby(), resume, options.checkpoints()), options.timings(), process.outcome);
    try {
      process.http = NodeHttp.start(CoordinatorNode.ROLE, process.seedAddress(), options.http(), metrics,
          new CoordinatorStatus(system, job.runId(), Duration.ofSeconds(3)), null);
    } catch (RuntimeException e) {
      process.close();
      throw e;
    }
    LOG.info("coordinator node at {}: {} steps of {} queries ({} per micro-batch) on {}, {} workers to start",
        cluster.selfAddress(), job.maxSteps(), job.plan().globalBatchSize(), job.plan().microBatchSize(),
        job.task().name(), options.minWorkers());
    return process;
  }

  /**
   * The driver of the singleton starting on this node: a new run, or (standby) the run taken over
   * from the audit and the run state, which are only opened now (the active node wrote them until it
   * died).
   */
  private RunDriver driver(StepPlanner planner, RunSettings settings, RunListener listener, Path auditFile,
      RunStateFile stateFile, boolean standby, ResumePoint resume, ClusterCheckpointing checkpoints) {
    try {
      ResumePoint from = resume;
      if (standby) {
        SampleAudit opened = audit.get() != null ? audit.get() : SampleAudit.open(auditFile);
        audit.set(opened);
        from = Recovery.takeOver(settings.runId(), settings.modelFingerprint(), stateFile.read(),
            opened.lastCommittedStep(), "audit " + auditFile + ", run state " + stateFile.path());
      }
      RunDriver d = RunDriver.durable(planner, settings, audit.get(), new Membership(Clock.systemUTC()), listener,
          Clock.systemUTC(), stateFile, from);
      if (checkpoints != null) {
        d.enableCheckpoints(new CheckpointPolicy(checkpoints.every(), settings.maxSteps()),
            checkpoints.root().toAbsolutePath().toString(), checkpoints.keep());
      }
      driver.set(d);
      return d;
    } catch (IOException e) {
      throw new UncheckedIOException("coordinator cannot open the run's records (" + auditFile + ", "
          + stateFile.path() + "): " + e.getMessage(), e);
    }
  }

  /** Completes when this node is Up in the cluster (a standby is then ready to take over). */
  public CompletableFuture<Void> memberUp() {
    return up;
  }

  /**
   * The incarnation of the coordinator this node hosts (0: it started the run, 1: the first
   * takeover, ...); empty while it hosts none.
   */
  public Optional<Long> incarnation() {
    RunDriver d = driver.get();
    return d == null ? Optional.empty() : Optional.of(d.incarnation());
  }

  /**
   * True when this node's coordinator took over a run that had already ended (the active node
   * finished it and left): the summary is then the one the active node reported, rebuilt.
   */
  public boolean inheritedAnEndedRun() {
    RunDriver d = driver.get();
    return d != null && d.endedBeforeStart();
  }

  /** host:port of this node, for workers' seed lists. */
  public String seedAddress() {
    Address self = Cluster.get(system).selfAddress();
    return self.host().get() + ":" + self.port().get();
  }

  /** Base url of the node's http endpoints ({@code http://host:port/}), empty when they are off. */
  public Optional<URI> httpUri() {
    return http == null ? Optional.empty() : Optional.of(http.baseUri());
  }

  /** Completes with the run's summary when the run ends (on this node, if it hosts the singleton). */
  public CompletableFuture<RunSummary> outcome() {
    return outcome;
  }

  /** Leaves the cluster and stops the node. */
  @Override
  public void close() throws IOException {
    try {
      if (http != null) {
        http.close();
      }
      WorkerProcess.shutdown(system, "coordinator finished");
    } finally {
      SampleAudit a = audit.get();
      if (a != null) {
        a.close();
      }
    }
  }
}
