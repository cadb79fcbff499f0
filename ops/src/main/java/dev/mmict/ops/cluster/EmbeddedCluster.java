package dev.mmict.ops.cluster;

import dev.mmict.coordinator.audit.AuditReport;
import dev.mmict.coordinator.audit.SampleAudit;
import dev.mmict.coordinator.audit.StepAudit;
import dev.mmict.coordinator.cluster.RunListener;
import dev.mmict.coordinator.cluster.RunSummary;
import dev.mmict.coordinator.plan.StepPlanner;
import dev.mmict.ops.CommandFailure;
import dev.mmict.storage.dataset.Dataset;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A whole cluster on this machine: the coordinator node in this JVM and N worker JVMs (one model
 * replica each: DJL allows one gradient collector per JVM) started with this JVM's class path, all
 * on loopback. Every wait is bounded, and every process it started is gone when {@link #run}
 * returns (or the cluster from {@link #start} is closed).
 */
public final class EmbeddedCluster implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedCluster.class);
  private static final String HOST = "127.0.0.1";

  /**
   * How the local cluster runs.
   *
   * @param workers worker JVMs to start
   * @param deterministic exact fixed-point exchange
   * @param timeout the whole run fails after this long
   * @param workerHeapMiB -Xmx of each worker JVM
   * @param checkpoints the run's checkpoints and the one it resumes from (every worker this
   *     cluster starts loads it); null: the run writes none
   * @param progress hears of every attempt and commit as the coordinator decides them (e.g. a
   *     progress bar)
   * @param externalWorkers null: start the worker JVMs; otherwise start none, bind the coordinator
   *     to its host and announce the run in its file for workers started elsewhere (a sweep's pool,
   *     {@link ExternalWorkers})
   */
  public record Options(int workers, boolean deterministic, Duration timeout, int workerHeapMiB,
      ClusterCheckpointing checkpoints, RunListener progress, ExternalWorkers.Invitation externalWorkers) {

    /** Options of a run on worker JVMs this cluster starts. */
    public Options(int workers, boolean deterministic, Duration timeout, int workerHeapMiB,
        ClusterCheckpointing checkpoints, RunListener progress) {
      this(workers, deterministic, timeout, workerHeapMiB, checkpoints, progress, null);
    }

    /** Options of a run that nobody but the metrics observe. */
    public Options(int workers, boolean deterministic, Duration timeout, int workerHeapMiB,
        ClusterCheckpointing checkpoints) {
      this(workers, deterministic, timeout, workerHeapMiB, checkpoints, RunListener.NONE);
    }

    /** Options of a run that writes no checkpoints. */
    public Options(int workers, boolean deterministic, Duration timeout, int workerHeapMiB) {
      this(workers, deterministic, timeout, workerHeapMiB, null);
    }

    /** Checks the values. */
    public Options {
      if (workers < 1) {
        throw new IllegalArgumentException("--workers must be >= 1, got " + workers);
      }
    }
  }

  /**
   * What the run produced.
   *
   * @param summary the coordinator's summary
   * @param auditFile the sample audit log
   * @param audit for every epoch the run touched, whether every sample was trained once (only
   *     complete epochs can pass)
   * @param workerLogs each worker's log file
   * @param workerExitCodes each worker process's exit code (0: it stopped by itself after the run)
   * @param finalStates the final trainable parameters written by each worker that held them when
   *     the run completed (see {@code mmict worker --final-state})
   * @param checkpoints the run's checkpointing (null: none)
   */
  public record Result(RunSummary summary, Path auditFile, List<AuditReport> audit, Map<String, Path> workerLogs,
      Map<String, Integer> workerExitCodes, Map<String, Path> finalStates, ClusterCheckpointing checkpoints) { }

  /** A worker process this cluster started. */
  private record Started(String id, Process process, Path log) { }

  private final ClusterJob job;
  private final Path configFile;
  private final Path auditFile;
  private final Path logs;
  private final Options options;
  private final CoordinatorProcess coordinator;
  private final List<Started> workers = new ArrayList<>();

  private EmbeddedCluster(ClusterJob job, Path configFile, Path auditFile, Path logs, Options options,
      CoordinatorProcess coordinator) {
    this.job = job;
    this.configFile = configFile;
    this.auditFile = auditFile;
    this.logs = logs;
    this.options = options;
    this.coordinator = coordinator;
  }

  /**
   * Trains {@code job} on a fresh local cluster; workers read the resolved configuration from
   * {@code configFile}; logs and the audit go under {@code outDir}.
   */
  public static Result run(ClusterJob job, Path configFile, Path outDir, Options options)
      throws IOException, InterruptedException {
    try (EmbeddedCluster cluster = start(job, configFile, outDir, options)) {
      return cluster.await();
    }
  }

  /**
   * Starts the coordinator node in this JVM and {@code options.workers()} worker JVMs named
   * {@code worker-1..N}, and returns at once: callers may start more workers ({@link
   * #startWorker}), stop or kill them ({@link #process}) while the run goes on, then {@link
   * #await} its end. {@link #close()} stops whatever still runs.
   */
  public static EmbeddedCluster start(ClusterJob job, Path configFile, Path outDir, Options options)
      throws IOException {
    return start(job, configFile, outDir, options, Map.of());
  }

  /**
   * As {@link #start(ClusterJob, Path, Path, Options)}, appending {@code workerArgs.get(id)} (if
   * any) to the command line of the initial worker {@code id} (e.g. a fault to inject).
   */
  public static EmbeddedCluster start(ClusterJob job, Path configFile, Path outDir, Options options,
      Map<String, List<String>> workerArgs) throws IOException {
    Path auditFile = outDir.resolve("audit.jsonl");
    boolean resuming = options.checkpoints() != null && options.checkpoints().resumeFrom().isPresent();
    if (!resuming) {
      Files.deleteIfExists(auditFile); // a resumed run keeps the audit up to its checkpoint
    }
    Path logs = Files.createDirectories(outDir.resolve("workers"));
    // The coordinator serves on the config's metrics address; each worker JVM on a free port of its own.
    String host = options.externalWorkers() != null ? options.externalWorkers().host() : HOST;
    CoordinatorProcess coordinator = CoordinatorProcess.start(job, new CoordinatorProcess.Options(host, 0,
        List.of(), options.workers(), CoordinatorProcess.Options.defaultTimings(), job.config().metrics(), false,
        options.checkpoints()), auditFile, options.progress());
    EmbeddedCluster cluster = new EmbeddedCluster(job, configFile, auditFile, logs, options, coordinator);
    try {
      if (options.externalWorkers() != null) {
        ExternalWorkers.clearFinalStates(logs);
        new ExternalWorkers.Announcement(coordinator.seedAddress(), configFile.toAbsolutePath().toString(),
            resuming ? options.checkpoints().resumeFrom().get().dir().toAbsolutePath().toString() : null,
            logs.toAbsolutePath().toString(), ProcessHandle.current().pid()).write(options.externalWorkers().announceFile());
        return cluster;
      }
      for (int i = 1; i <= options.workers(); i++) {
        String id = "worker-" + i;
        cluster.startWorker(id, workerArgs.getOrDefault(id, List.of()));
      }
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** host:port of the coordinator node, the seed every worker joins through. */
  public String seedAddress() {
    return coordinator.seedAddress();
  }

  /** Base url of the coordinator node's http endpoints (/metrics, /health/*, /status), empty when off. */
  public Optional<URI> coordinatorHttp() {
    return coordinator.httpUri();
  }

  /**
   * Base url of the http endpoints of the latest process started as worker {@code id}, once its
   * log announces them; empty before that (or when they are off).
   */
  public Optional<URI> workerHttp(String id) throws IOException {
    Optional<Path> log = log(id);
    return log.isEmpty() ? Optional.empty() : NodeHttp.parse(log.get(), id);
  }

  /** Completes with the coordinator's summary when the run ends. */
  public CompletableFuture<RunSummary> outcome() {
    return coordinator.outcome();
  }

  /** The sample audit log the coordinator appends committed steps to. */
  public Path auditFile() {
    return auditFile;
  }

  /**
   * Starts one more worker JVM (a joiner, or a restart of a worker that died: same id, new
   * process) with {@code extraArgs} appended to its {@code mmict worker} command line.
   */
  public synchronized Process startWorker(String id, List<String> extraArgs) throws IOException {
    long incarnation = workers.stream().filter(w -> w.id().equals(id)).count() + 1;
    Path log = logs.resolve(id + (incarnation > 1 ? "." + incarnation : "") + ".log");
    List<String> cmd = new ArrayList<>(workerCommand(id, coordinator.seedAddress(), configFile, options));
    cmd.addAll(List.of("--metrics-host", job.config().metrics().host(), "--metrics-port", "0"));
    cmd.addAll(List.of("--final-state", finalStateOf(log).toString()));
    cmd.addAll(extraArgs);
    ProcessBuilder pb = new ProcessBuilder(cmd)
        .directory(new File(System.getProperty("user.dir")))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    Process p = pb.start();
    LOG.info("started {} as process {} (log {})", id, p.pid(), log);
    workers.add(new Started(id, p, log));
    return p;
  }

  /** The latest process started as {@code id}, if any. */
  public synchronized Optional<Process> process(String id) {
    Process latest = null;
    for (Started w : workers) {
      if (w.id().equals(id)) {
        latest = w.process();
      }
    }
    return Optional.ofNullable(latest);
  }

  /** The log file of the latest process started as {@code id}, if any. */
  public synchronized Optional<Path> log(String id) {
    Path latest = null;
    for (Started w : workers) {
      if (w.id().equals(id)) {
        latest = w.log();
      }
    }
    return Optional.ofNullable(latest);
  }

  /**
   * Waits (at most the options' timeout) for the run to end, then for the workers to exit by
   * themselves (20 s), and checks the audit.
   */
  public Result await() throws IOException, InterruptedException {
    RunSummary summary = await(coordinator, this::snapshot, options.timeout());
    List<Started> all = snapshot();
    stopWorkers(all, Duration.ofSeconds(20));
    Map<String, Path> logFiles = new LinkedHashMap<>();
    Map<String, Integer> exits = new LinkedHashMap<>();
    Map<String, Path> finalStates = new LinkedHashMap<>();
    for (Started w : all) {
      logFiles.put(w.id(), w.log());
      exits.put(w.id(), w.process().isAlive() ? null : w.process().exitValue());
      Path state = finalStateOf(w.log());
      if (Files.exists(state)) {
        finalStates.put(w.id(), state);
      }
    }
    if (options.externalWorkers() != null && summary.completed()) {
      finalStates.putAll(ExternalWorkers.awaitFinalStates(logs, summary.parameterSha256(), Duration.ofSeconds(60)));
    }
    return new Result(summary, auditFile, checkAudit(job, auditFile), logFiles, exits, finalStates,
        options.checkpoints());
  }

  /** Where the worker process logging to {@code log} writes the run's final parameters. */
  private static Path finalStateOf(Path log) {
    String name = log.getFileName().toString();
    return log.resolveSibling(name.substring(0, name.length() - ".log".length()) + ".final.safetensors");
  }

  /** Kills every worker process still running and stops the coordinator node. */
  @Override
  public void close() throws IOException {
    try {
      for (Started w : snapshot()) {
        if (w.process().isAlive()) {
          LOG.warn("{} (process {}) still runs after the run: killing it", w.id(), w.process().pid());
          w.process().destroyForcibly();
          try {
            w.process().waitFor(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
    } finally {
      coordinator.close();
    }
  }

  private synchronized List<Started> snapshot() {
    return List.copyOf(workers);
  }

  /** The worker JVM command for {@code id}: this JVM's java and class path, the {@code worker} subcommand. */
  static List<String> workerCommand(String id, String seed, Path configFile, Options options) {
    List<String> cmd = ChildJvm.command(options.workerHeapMiB());
    cmd.addAll(List.of("dev.mmict.ops.Main", "worker",
        "--config", configFile.toAbsolutePath().toString(),
        "--id", id,
        "--host", HOST,
        "--seed", seed,
        "--parent-pid", Long.toString(ProcessHandle.current().pid())));
    if (options.deterministic()) {
      cmd.add("--deterministic");
    }
    if (options.checkpoints() != null && options.checkpoints().resumeFrom().isPresent()) {
      cmd.addAll(List.of("--resume-from", options.checkpoints().resumeFrom().get().dir().toAbsolutePath().toString()));
    }
    return cmd;
  }

  private static RunSummary await(CoordinatorProcess coordinator, Supplier<List<Started>> current, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<Started> workers = current.get();
      try {
        return coordinator.outcome().get(500, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw CommandFailure.clusterError("the cluster run did not finish within " + timeout
              + "; worker logs: " + workers.stream().map(w -> w.log().toString()).toList(), null);
        }
        if (!workers.isEmpty() && workers.stream().noneMatch(w -> w.process().isAlive())) {
          // The coordinator may still be deciding; give it a moment, then report the workers' end.
          try {
            return coordinator.outcome().get(2, TimeUnit.SECONDS);
          } catch (TimeoutException again) {
            StringBuilder why = new StringBuilder("every worker exited before the run finished:");
            for (Started w : workers) {
              why.append(' ').append(w.id()).append(" exit ").append(w.process().exitValue())
                  .append(" (log ").append(w.log()).append(')');
            }
            throw CommandFailure.clusterError(why.toString(), null);
          } catch (ExecutionException ex) {
            throw CommandFailure.clusterError("the coordinator failed: " + ex.getCause().getMessage(), ex.getCause());
          }
        }
      } catch (ExecutionException e) {
        throw CommandFailure.clusterError("the coordinator failed: " + e.getCause().getMessage(), e.getCause());
      }
    }
  }

  private static void stopWorkers(List<Started> workers, Duration grace) throws InterruptedException {
    long deadline = System.nanoTime() + grace.toNanos();
    for (Started w : workers) {
      long left = Math.max(0, deadline - System.nanoTime());
      if (!w.process().waitFor(left, TimeUnit.NANOSECONDS)) {
        LOG.warn("{} did not exit within {} of the run's end: stopping it", w.id(), grace);
        w.process().destroy();
      }
    }
  }

  /** Checks the audit of every epoch the run reached against the planner's queryable samples. */
  static List<AuditReport> checkAudit(ClusterJob job, Path auditFile) throws IOException {
    List<StepAudit> steps = SampleAudit.read(auditFile);
    StepPlanner planner = StepPlanner.forSplit(job.dataset(), Dataset.TRAIN, job.plan());
    List<AuditReport> out = new ArrayList<>();
    for (long epoch : new TreeSet<>(steps.stream().map(StepAudit::epoch).toList())) {
      out.add(SampleAudit.check(steps, epoch, planner.queryableIndices()));
    }
    return out;
  }
}
