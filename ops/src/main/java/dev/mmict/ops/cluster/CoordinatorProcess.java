package dev.mmict.ops.cluster;

import dev.mmict.coordinator.audit.SampleAudit;
import dev.mmict.coordinator.cluster.CoordinatorActor;
import dev.mmict.coordinator.cluster.CoordinatorNode;
import dev.mmict.coordinator.cluster.RunDriver;
import dev.mmict.coordinator.cluster.RunSettings;
import dev.mmict.coordinator.cluster.RunSummary;
import dev.mmict.coordinator.membership.Membership;
import dev.mmict.coordinator.plan.StepPlanner;
import dev.mmict.ops.config.MetricsConfig;
import dev.mmict.ops.http.MetricsServer;
import dev.mmict.ops.metrics.CoordinatorMetrics;
import dev.mmict.ops.metrics.RunMetrics;
import dev.mmict.storage.dataset.Dataset;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordinator node in this JVM: joins (or founds) the cluster with the role {@value
 * CoordinatorNode#ROLE} and hosts the coordinator singleton for one {@link ClusterJob}; {@link
 * #outcome()} completes when the run ends.
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
   */
  public record Options(String host, int port, List<String> seeds, int minWorkers, CoordinatorActor.Timings timings,
      MetricsConfig http) {

    /** Timings sized for the tiny CPU model. */
    public static CoordinatorActor.Timings defaultTimings() {
      return new CoordinatorActor.Timings(Duration.ofSeconds(120), Duration.ofMillis(500), Duration.ofMinutes(5));
    }
  }

  private final ActorSystem system;
  private final SampleAudit audit;
  private final CompletableFuture<RunSummary> outcome = new CompletableFuture<>();
  private MetricsServer http;

  private CoordinatorProcess(ActorSystem system, SampleAudit audit) {
    this.system = system;
    this.audit = audit;
  }

  /** Starts the node; the sample audit of committed steps is appended to {@code auditFile}. */
  public static CoordinatorProcess start(ClusterJob job, Options options, Path auditFile) throws IOException {
    StepPlanner planner = StepPlanner.forSplit(job.dataset(), Dataset.TRAIN, job.plan());
    RunSettings settings = new RunSettings(job.runId(), job.maxSteps(),
        job.fingerprint(), job.learningRate(), options.minWorkers(), 20);
    SampleAudit audit = SampleAudit.open(auditFile);
    ActorSystem system;
    try {
      system = ActorSystem.create(NodeConfig.SYSTEM_NAME,
          NodeConfig.of(CoordinatorNode.ROLE, options.host(), options.port()));
    } catch (RuntimeException e) {
      audit.close();
      throw e;
    }
    CoordinatorProcess process = new CoordinatorProcess(system, audit);
    Cluster cluster = Cluster.get(system);
    if (options.seeds().isEmpty()) {
      cluster.join(cluster.selfAddress());
    } else {
      cluster.joinSeedNodes(WorkerProcess.seedAddresses(options.seeds()));
    }
    RunMetrics metrics = new RunMetrics(job.runId(), CoordinatorNode.ROLE);
    CoordinatorMetrics listener = new CoordinatorMetrics(metrics, job.learningRate());
    CoordinatorNode.start(system, () -> new RunDriver(planner, settings, audit, new Membership(Clock.systemUTC()),
        listener, Clock.systemUTC()), options.timings(), process.outcome);
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
      audit.close();
    }
  }
}
