package dev.mmict.ops.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmict.coordinator.audit.AuditReport;
import dev.mmict.ops.CommandFailure;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local cluster for coordinator failover: the active coordinator ({@code coordinator-a}) and a
 * standby ({@code coordinator-b}, {@code mmict coordinator --standby}) each in a JVM of its own,
 * so that one can be killed with {@code kill -9}, and N worker JVMs, all on loopback. Both
 * coordinators share the sample audit, its run state and the summary file; whichever ends the
 * run writes the summary. Unlike {@link EmbeddedCluster} nothing of the cluster runs in the
 * calling JVM. Every wait is bounded; {@link #close()} kills whatever still runs.
 */
public final class StandbyCluster implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StandbyCluster.class);
  private static final String HOST = "127.0.0.1";
  private static final Pattern SEED = Pattern.compile("^coordinator node at (\\S+:\\d+)");
  private static final Duration NODE_START = Duration.ofSeconds(90);

  /** A process this cluster started: a coordinator or a worker. */
  public record Node(String name, Process process, Path log) { }

  /**
   * What the run produced.
   *
   * @param summary the summary file the coordinator that ended the run wrote ({@link RunSummaryFile})
   * @param auditFile the sample audit log
   * @param audit for every epoch the run touched, whether every sample was trained once
   * @param logs every node's log file, by node name
   */
  public record Result(JsonNode summary, Path auditFile, List<AuditReport> audit, Map<String, Path> logs) { }

  private final ClusterJob job;
  private final Path configFile;
  private final Path outDir;
  private final EmbeddedCluster.Options options;
  private final List<Node> nodes = new ArrayList<>();
  private String seed;

  private StandbyCluster(ClusterJob job, Path configFile, Path outDir, EmbeddedCluster.Options options) {
    this.job = job;
    this.configFile = configFile;
    this.outDir = outDir;
    this.options = options;
  }

  /**
   * Starts the active coordinator, then the standby (returns once it is Up in the cluster), then
   * {@code options.workers()} workers {@code worker-1..N}; workers read the resolved configuration
   * from {@code configFile}; logs, the audit and the summary go under {@code outDir}.
   */
  public static StandbyCluster start(ClusterJob job, Path configFile, Path outDir, EmbeddedCluster.Options options)
      throws IOException, InterruptedException {
    Files.createDirectories(outDir.resolve("nodes"));
    Files.deleteIfExists(auditFile(outDir));
    Files.deleteIfExists(summaryFile(outDir));
    Files.deleteIfExists(dev.mmict.coordinator.recovery.RunStateFile.besideAudit(auditFile(outDir)).path());
    StandbyCluster cluster = new StandbyCluster(job, configFile, outDir, options);
    try {
      Node active = cluster.startCoordinator("coordinator-a", List.of());
      cluster.seed = awaitLine(active, SEED, "its cluster address").group(1);
      Node standby = cluster.startCoordinator("coordinator-b", List.of("--standby", "--seed", cluster.seed));
      awaitLine(standby, Pattern.compile("^standby coordinator node \\S+ is up"), "being Up in the cluster");
      for (int i = 1; i <= options.workers(); i++) {
        cluster.startWorker("worker-" + i);
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** The sample audit log both coordinators use. */
  public Path auditFile() {
    return auditFile(outDir);
  }

  /** The summary file whichever coordinator ends the run writes. */
  public Path summaryFile() {
    return summaryFile(outDir);
  }

  /** The process started as {@code name} ({@code coordinator-a}, {@code coordinator-b}, {@code worker-1}, ...). */
  public synchronized Optional<Process> process(String name) {
    return nodes.stream().filter(n -> n.name().equals(name)).map(Node::process).findFirst();
  }

  /**
   * Waits (at most the options' timeout) until a coordinator wrote the summary, then (20 s at
   * most) for every other process to exit by itself, and checks the audit. Fails when every
   * coordinator exited without a summary.
   */
  public Result await() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + options.timeout().toNanos();
    while (!Files.exists(summaryFile())) {
      List<Node> coordinators = snapshot().stream().filter(n -> n.name().startsWith("coordinator")).toList();
      if (coordinators.stream().noneMatch(n -> n.process().isAlive())) {
        Thread.sleep(500); // a summary renamed into place just before the exit
        if (Files.exists(summaryFile())) {
          break;
        }
        throw CommandFailure.clusterError("every coordinator exited without a run summary; logs: " + logs(), null);
      }
      if (System.nanoTime() > deadline) {
        throw CommandFailure.clusterError("the run did not end within " + options.timeout() + "; logs: " + logs(),
            null);
      }
      Thread.sleep(250);
    }
    long grace = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (Node n : snapshot()) {
      if (!n.process().waitFor(Math.max(0, grace - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        LOG.warn("{} (process {}) did not exit within 20 s of the run's end: stopping it", n.name(),
            n.process().pid());
        n.process().destroy();
      }
    }
    return new Result(RunSummaryFile.read(summaryFile()), auditFile(),
        EmbeddedCluster.checkAudit(job, auditFile()), logs());
  }

  /** Kills every process of the cluster still running. */
  @Override
  public void close() {
    for (Node n : snapshot()) {
      if (n.process().isAlive()) {
        LOG.warn("{} (process {}) still runs: killing it", n.name(), n.process().pid());
        n.process().destroyForcibly();
        try {
          n.process().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private Node startCoordinator(String name, List<String> extra) throws IOException {
    List<String> cmd = ChildJvm.command(256);
    cmd.addAll(List.of("dev.mmict.ops.Main", "coordinator",
        "--config", configFile.toAbsolutePath().toString(),
        "--host", HOST, "--port", "0",
        "--workers", Integer.toString(options.workers()),
        "--max-steps", Long.toString(job.maxSteps()),
        "--micro-batch-size", Integer.toString(job.plan().microBatchSize()),
        "--audit", auditFile().toString(),
        "--summary", summaryFile().toString(),
        "--metrics-host", job.config().metrics().host(), "--metrics-port", "0",
        "--parent-pid", Long.toString(ProcessHandle.current().pid())));
    cmd.addAll(extra);
    return launch(name, cmd);
  }

  private void startWorker(String id) throws IOException {
    List<String> cmd = new ArrayList<>(EmbeddedCluster.workerCommand(id, seed, configFile, options));
    cmd.addAll(List.of("--metrics-host", job.config().metrics().host(), "--metrics-port", "0"));
    launch(id, cmd);
  }

  private synchronized Node launch(String name, List<String> cmd) throws IOException {
    Path log = outDir.resolve("nodes").resolve(name + ".log");
    Process p = new ProcessBuilder(cmd)
        .directory(new File(System.getProperty("user.dir")))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    LOG.info("started {} as process {} (log {})", name, p.pid(), log);
    Node node = new Node(name, p, log);
    nodes.add(node);
    return node;
  }

  private synchronized List<Node> snapshot() {
    return List.copyOf(nodes);
  }

  private Map<String, Path> logs() {
    Map<String, Path> out = new LinkedHashMap<>();
    snapshot().forEach(n -> out.put(n.name(), n.log()));
    return out;
  }

  /** Waits for a line matching {@code pattern} in the node's log, while it runs, {@link #NODE_START} at most. */
  private static Matcher awaitLine(Node node, Pattern pattern, String what) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + NODE_START.toNanos();
    while (true) {
      if (Files.exists(node.log())) {
        String text = new String(Files.readAllBytes(node.log()), java.nio.charset.StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
          Matcher m = pattern.matcher(line);
          if (m.find()) {
            return m;
          }
        }
      }
      if (!node.process().isAlive()) {
        throw CommandFailure.clusterError(node.name() + " exited (code " + node.process().exitValue() + ") before "
            + what + "; log " + node.log(), null);
      }
      if (System.nanoTime() > deadline) {
        throw CommandFailure.clusterError(node.name() + " showed no sign of " + what + " within " + NODE_START
            + "; log " + node.log(), null);
      }
      Thread.sleep(200);
    }
  }

  private static Path auditFile(Path outDir) {
    return outDir.resolve("audit.jsonl");
  }

  private static Path summaryFile(Path outDir) {
    return outDir.resolve("summary.json");
  }
}
