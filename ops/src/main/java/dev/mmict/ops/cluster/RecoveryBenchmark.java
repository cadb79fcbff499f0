package dev.mmict.ops.cluster;

import com.typesafe.config.Config;
import dev.mmict.coordinator.audit.AuditReport;
import dev.mmict.coordinator.cluster.RunSummary;
import dev.mmict.coordinator.membership.MembershipEvent;
import dev.mmict.ops.config.RunConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code mmict bench recovery}: trains a small embedded cluster, {@code kill -9}s one worker JVM in
 * the middle of a step, and measures how long the survivors take from the kill to the next
 * committed step (target: 10 s or less), how long the coordinator took to declare the victim
 * dead and by which signal (failure detector: unreachable node; or the data plane's TCP error as
 * a survivor's step abort), and the failure-detector settings the nodes ran with.
 *
 * <p>Commit times come from the sample audit file, polled every {@link #POLL} (one line per
 * committed step, forced to disk at commit); the death's time from the coordinator's membership
 * events; the survivors' view (abort notices, data-plane failures) from their log files, whose
 * timestamps are wall-clock times of this machine.
 */
public final class RecoveryBenchmark {

  private static final Logger LOG = LoggerFactory.getLogger(RecoveryBenchmark.class);
  /** How often the audit file is polled for commits. */
  static final Duration POLL = Duration.ofMillis(5);
  /** The recovery target of issue 4. */
  static final double TARGET_SECONDS = 10.0;

  private RecoveryBenchmark() { }

  /**
   * @param workers worker JVMs (at least 2: one is killed)
   * @param steps steps to train in all
   * @param killAfterStep the kill lands in the step after this committed one (at least 1, so a
   *     step time is known)
   * @param killDelayMillis how long after that commit the victim is killed; negative: half the
   *     median step time so far, i.e. mid-step
   * @param microBatchSize queries per micro-batch (null: the cluster's default)
   * @param deterministic exact fixed-point exchange
   * @param timeout the whole run's limit
   * @param workDir where the run's temporary directory (logs, audit) is made
   */
  public record Settings(int workers, int steps, int killAfterStep, long killDelayMillis, Integer microBatchSize,
      boolean deterministic, Duration timeout, Path workDir) {

    /** Checks the counts. */
    public Settings {
      if (workers < 2) {
        throw new IllegalArgumentException("bench recovery needs at least 2 workers (one is killed), got " + workers);
      }
      // Steps are numbered from 0: the kill lands in step killAfterStep + 1, and at least one
      // more step must follow it, or a kill that misses the step in flight has nothing to recover.
      if (killAfterStep < 1 || steps < killAfterStep + 3) {
        throw new IllegalArgumentException("bench recovery needs --kill-after-step >= 1 and at least two steps after"
            + " the one it is committed with (steps >= kill-after-step + 3), got kill after step " + killAfterStep
            + " of " + steps + " steps");
      }
    }
  }

  /** Runs the cluster, kills the last worker mid-step, and returns the figures ({@code ratio} first). */
  public static Map<String, Object> run(RunConfig config, Settings settings) throws IOException, InterruptedException {
    Files.createDirectories(settings.workDir());
    Path dir = Files.createTempDirectory(settings.workDir(), "mmict-bench-recovery-");
    Path configFile = BenchClusters.writeConfig(config, dir);
    ClusterJob job = ClusterJob.of(config, settings.steps(), settings.microBatchSize());
    String victim = "worker-" + settings.workers();
    long deadline = System.nanoTime() + settings.timeout().toNanos();
    try (CommitWatcher commits = new CommitWatcher(dir.resolve("audit.jsonl"), POLL)) {
      CompletableFuture<EmbeddedCluster.Result> run = BenchClusters.start(job, configFile, dir,
          new EmbeddedCluster.Options(settings.workers(), settings.deterministic(), settings.timeout(), 2048));
      commits.await(settings.killAfterStep() + 1, deadline, run::isDone);
      List<Long> before = commits.commitNanos();
      double stepBefore = medianInterval(before, 1, before.size());
      long delayMillis = settings.killDelayMillis() >= 0 ? settings.killDelayMillis()
          : Math.round(stepBefore * 1000 / 2);
      long killAt = before.get(settings.killAfterStep()) + TimeUnit.MILLISECONDS.toNanos(delayMillis);
      long sleep = killAt - System.nanoTime();
      if (sleep > 0) {
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(sleep), (int) (sleep % 1_000_000));
      }
      Map<String, Long> survivorPids = new LinkedHashMap<>();
      for (int i = 1; i < settings.workers(); i++) {
        String id = "worker-" + i;
        survivorPids.put(id, BenchClusters.workerProcess(id).map(ProcessHandle::pid).orElse(-1L));
      }
      ProcessHandle process = BenchClusters.workerProcess(victim)
          .orElseThrow(() -> new IllegalStateException("no " + victim + " process among this JVM's children"));
      int committedAtKill = commits.committed();
      Instant killInstant = Instant.now();
      long killNanos = System.nanoTime();
      process.destroyForcibly(); // SIGKILL: no shutdown hook, no leave, sockets reset by the kernel
      LOG.info("bench recovery: killed {} (process {}) {} ms after step {} was committed, {} steps committed",
          victim, process.pid(), delayMillis, settings.killAfterStep(), committedAtKill);
      process.onExit().get(10, TimeUnit.SECONDS);
      long recoveredNanos = commits.await(committedAtKill + 1, deadline, run::isDone);
      EmbeddedCluster.Result result = run.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      List<Long> all = commits.commitNanos();
      return figures(settings, job, victim, delayMillis, committedAtKill, killInstant, killNanos, recoveredNanos,
          stepBefore, all, survivorPids, result);
    } catch (ExecutionException e) {
      throw new IllegalStateException("the benchmark's cluster run failed: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("the benchmark's cluster run did not end within " + settings.timeout(), e);
    }
  }

  private static Map<String, Object> figures(Settings settings, ClusterJob job, String victim, long delayMillis,
      int committedAtKill, Instant killInstant, long killNanos, long recoveredNanos, double stepBefore, List<Long> all,
      Map<String, Long> survivorPids, EmbeddedCluster.Result result) throws IOException {
    RunSummary s = result.summary();
    Optional<MembershipEvent> died = s.events().stream()
        .filter(e -> e.kind() == MembershipEvent.Kind.DIED && e.workerId().equals(victim)).findFirst();
    // The victim may have handed in its share of the step in flight just before the kill; that
    // commit is not a recovery. The way back ends at the first commit after the death was noticed.
    long firstAfterKill = recoveredNanos;
    if (died.isPresent()) {
      long diedNanos = killNanos + Duration.between(killInstant, died.get().time()).toNanos();
      recoveredNanos = all.stream().filter(t -> t > diedNanos).findFirst()
          .orElseThrow(() -> new IllegalStateException("no step was committed after " + victim
              + " was declared dead: the run ended first; give it more steps"));
    }
    double recovery = (recoveredNanos - killNanos) / 1e9;
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("ratio", recovery / TARGET_SECONDS);
    f.put("recovery_s", recovery);
    f.put("target_s", TARGET_SECONDS);
    f.put("kill_hit_step_in_flight", firstAfterKill == recoveredNanos);
    f.put("death_detected_s", died.map(e -> Duration.between(killInstant, e.time()).toMillis() / 1e3).orElse(null));
    f.put("death_detected_by", died.map(e -> detectedBy(e.detail())).orElse("not detected"));
    f.put("death_detail", died.map(MembershipEvent::detail).orElse(""));
    f.put("death_to_commit_s", died.map(e -> recovery - Duration.between(killInstant, e.time()).toMillis() / 1e3)
        .orElse(null));
    List<String> survivors = new ArrayList<>(survivorPids.keySet());
    SurvivorView view = SurvivorView.read(survivors, result.workerLogs(), killInstant);
    f.put("first_abort_notice_s", view.firstAbortSeconds());
    f.put("first_abort_reason", view.firstAbortReason());
    f.put("data_plane_error_s", view.firstFailureSeconds());
    f.put("data_plane_error", view.firstFailure());
    f.put("recovery_triggered_by", view.firstAbortReason() == null ? "unknown (worker logs below INFO)"
        : view.firstAbortReason().contains("PEER_DIED") ? "failure detector (coordinator declared the victim dead)"
        : "data plane (a survivor's exchange failed)");
    f.put("step_s_before_kill", stepBefore);
    f.put("step_s_after_recovery", medianInterval(all, committedAtKill + 1, all.size()));
    f.put("killed_step", committedAtKill);
    f.put("kill_delay_ms", delayMillis);
    f.put("victim", victim);
    f.put("workers", settings.workers());
    f.put("steps", settings.steps());
    f.put("batch_size", job.plan().globalBatchSize());
    f.put("micro_batch_size", job.plan().microBatchSize());
    f.put("deterministic", settings.deterministic());
    f.put("completed", s.completed());
    f.put("steps_run", s.stepsCommitted());
    f.put("steps_aborted", s.stepsAborted());
    f.put("audit_exactly_once", result.audit().stream().allMatch(a -> a.duplicated().isEmpty()
        && a.unexpected().isEmpty()));
    f.put("audit_epochs", result.audit().stream().map(AuditReport::summary).toList());
    boolean samePids = survivorPids.entrySet().stream()
        .allMatch(e -> e.getValue().equals(s.processIds().get(e.getKey())));
    f.put("survivor_pids_unchanged", samePids);
    f.putAll(failureDetector());
    f.put("run_dir", result.auditFile().getParent().toString());
    return f;
  }

  /** The failure-detection settings every node runs with (read back from {@link NodeConfig}). */
  static Map<String, Object> failureDetector() {
    Config c = NodeConfig.of("worker", "127.0.0.1", 0);
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("fd_heartbeat_interval_ms", c.getDuration("pekko.cluster.failure-detector.heartbeat-interval").toMillis());
    f.put("fd_acceptable_heartbeat_pause_ms",
        c.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause").toMillis());
    f.put("fd_threshold", c.getDouble("pekko.cluster.failure-detector.threshold"));
    f.put("fd_expected_response_after_ms",
        c.getDuration("pekko.cluster.failure-detector.expected-response-after").toMillis());
    f.put("sbr_strategy", c.getString("pekko.cluster.split-brain-resolver.active-strategy"));
    f.put("sbr_stable_after_ms", c.getDuration("pekko.cluster.split-brain-resolver.stable-after").toMillis());
    f.put("replan_delay_ms", CoordinatorProcess.Options.defaultTimings().replanDelay().toMillis());
    return f;
  }

  private static String detectedBy(String detail) {
    if (detail.contains("unreachable")) {
      return "failure detector (node unreachable)";
    }
    if (detail.contains("removed")) {
      return "split brain resolver (node removed)";
    }
    if (detail.contains("actor stopped")) {
      return "death watch (actor terminated)";
    }
    return detail;
  }

  /** Median interval in seconds between consecutive commit times {@code [from, to)}; NaN with fewer than 2. */
  static double medianInterval(List<Long> nanos, int from, int to) {
    List<Double> gaps = new ArrayList<>();
    for (int i = Math.max(1, from); i < to; i++) {
      gaps.add((nanos.get(i) - nanos.get(i - 1)) / 1e9);
    }
    return gaps.isEmpty() ? Double.NaN : StepStats.median(gaps);
  }

  /**
   * What the survivors logged after the kill: the first abort notice they received from the
   * coordinator (its reason says who noticed the death) and their first failed step (the data
   * plane's error). Times are seconds after the kill; null when not logged.
   */
  record SurvivorView(Double firstAbortSeconds, String firstAbortReason, Double firstFailureSeconds,
      String firstFailure) {

    static SurvivorView read(List<String> survivors, Map<String, Path> logs, Instant kill) throws IOException {
      LocalTime killTime = LocalTime.ofInstant(kill, ZoneId.systemDefault());
      Double abortAt = null;
      String abort = null;
      Double failAt = null;
      String fail = null;
      for (String id : survivors) {
        Path log = logs.get(id);
        if (log == null || !Files.exists(log)) {
          continue;
        }
        for (String line : Files.readAllLines(log)) {
          Double t = secondsAfter(line, killTime);
          if (t == null || t < 0) {
            continue;
          }
          int notice = line.indexOf("aborted by the coordinator (");
          if (notice >= 0 && (abortAt == null || t < abortAt)) {
            abortAt = t;
            String rest = line.substring(notice + "aborted by the coordinator (".length());
            rest = rest.endsWith(")") ? rest.substring(0, rest.length() - 1) : rest;
            abort = rest.length() > 160 ? rest.substring(0, 160) + "…" : rest;
          }
          int failed = line.indexOf(" failed: ");
          if (failed >= 0 && line.contains("worker " + id + ": step") && (failAt == null || t < failAt)) {
            failAt = t;
            String rest = line.substring(failed + " failed: ".length());
            fail = rest.length() > 160 ? rest.substring(0, 160) + "…" : rest;
          }
        }
      }
      return new SurvivorView(abortAt, abort, failAt, fail);
    }

    /** Seconds from {@code kill} to a log line's leading HH:mm:ss.SSS; null when the line has none. */
    private static Double secondsAfter(String line, LocalTime kill) {
      if (line.length() < 12) {
        return null;
      }
      try {
        LocalTime t = LocalTime.parse(line.substring(0, 12));
        long millis = Duration.between(kill, t).toMillis();
        if (millis < -12L * 3600 * 1000) {
          millis += 24L * 3600 * 1000; // the line is from after midnight
        }
        return millis / 1e3;
      } catch (DateTimeParseException e) {
        return null;
      }
    }
  }

  /** The figures as lines for the terminal. */
  public static String format(Map<String, Object> f) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "bench recovery: %d workers, %s killed (kill -9) %d ms into step %d of %d%n",
        (Integer) f.get("workers"), f.get("victim"), (Long) f.get("kill_delay_ms"), (Integer) f.get("killed_step"),
        (Integer) f.get("steps")));
    b.append(String.format(Locale.ROOT, "  kill -> next committed step   %6.2f s  (target <= %.0f s)%n",
        (Double) f.get("recovery_s"), (Double) f.get("target_s")));
    b.append(String.format(Locale.ROOT, "  kill -> declared dead         %6s s  by %s%n", seconds(f.get("death_detected_s")),
        f.get("death_detected_by")));
    b.append(String.format(Locale.ROOT, "  kill -> survivor's data-plane error %s s: %s%n",
        seconds(f.get("data_plane_error_s")), f.get("data_plane_error") == null ? "-" : f.get("data_plane_error")));
    b.append(String.format(Locale.ROOT, "  kill -> first abort notice    %6s s  (%s)%n",
        seconds(f.get("first_abort_notice_s")), f.get("first_abort_reason") == null ? "-" : f.get("first_abort_reason")));
    b.append(String.format(Locale.ROOT, "  recovery triggered by: %s%n", f.get("recovery_triggered_by")));
    b.append(String.format(Locale.ROOT, "  step time: %.2f s before, %.2f s after (on the survivors); %d attempts"
        + " aborted; run %s, audit exactly-once %s, survivors kept their processes %s%n",
        (Double) f.get("step_s_before_kill"), (Double) f.get("step_s_after_recovery"), (Long) f.get("steps_aborted"),
        Boolean.TRUE.equals(f.get("completed")) ? "completed" : "FAILED", f.get("audit_exactly_once"),
        f.get("survivor_pids_unchanged")));
    b.append(String.format(Locale.ROOT, "  failure detector: heartbeat %d ms, acceptable pause %d ms, threshold %.1f;"
        + " SBR %s stable-after %d ms; re-plan delay %d ms%n", (Long) f.get("fd_heartbeat_interval_ms"),
        (Long) f.get("fd_acceptable_heartbeat_pause_ms"), (Double) f.get("fd_threshold"), f.get("sbr_strategy"),
        (Long) f.get("sbr_stable_after_ms"), (Long) f.get("replan_delay_ms")));
    b.append(String.format(Locale.ROOT, "  ratio (recovery / target) %.2f%n", (Double) f.get("ratio")));
    return b.toString();
  }

  private static String seconds(Object v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%6.2f", (Double) v);
  }
}
