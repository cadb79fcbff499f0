package dev.mmict.ops.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mmict.coordinator.audit.AuditReport;
import dev.mmict.coordinator.audit.SampleAudit;
import dev.mmict.coordinator.checkpoint.CheckpointSchedule;
import dev.mmict.coordinator.cluster.RunListener;
import dev.mmict.coordinator.cluster.RunSummary;
import dev.mmict.coordinator.membership.MembershipEvent;
import dev.mmict.ops.CommandFailure;
import dev.mmict.ops.cli.ClusterRequest;
import dev.mmict.ops.cli.RunRequest;
import dev.mmict.hub.io.Safetensors;
import dev.mmict.storage.checkpoint.Checkpoint;
import dev.mmict.worker.cluster.FinalState;
import dev.mmict.worker.train.TrainCheckpoints;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code mmict train --workers N}: trains the configured job on an {@link EmbeddedCluster}; its
 * report holds the final trainable parameters' sha256 ({@code params_sha256}), the steps
 * run and aborted (with every aborted attempt's reason), the membership events, the state
 * transfers to joining workers, the per-step losses, and the sample audit's verdict.
 */
public final class ClusterTraining {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterTraining.class);

  private ClusterTraining() { }

  /**
   * Runs {@code job} (resolved from {@code request}'s configuration and {@code cluster}) on a local
   * cluster and prints one line about it; a run that does not complete is a cluster error (exit 5),
   * after its report is written. {@code progress} hears of every attempt and commit while the run
   * goes on. The workers read {@code <out>/config.yaml}, which must hold {@code request}'s resolved
   * configuration. The caller evaluates the result ({@link #finalState}) and writes the report of
   * a completed run.
   */
  public static EmbeddedCluster.Result run(RunRequest request, ClusterJob job, ClusterRequest cluster,
      PrintWriter out, RunListener progress) throws IOException, InterruptedException {
    Path configFile = request.outDir().resolve("config.yaml");
    ClusterCheckpointing checkpoints = ClusterCheckpointing.of(job, request.outDir());
    if (checkpoints.nothingLeft(job)) {
      EmbeddedCluster.Result done = atCheckpoint(job, request.outDir(), checkpoints);
      out.printf("nothing left to train on %d workers: %s is at step %d, where the run ends; parameters %s%n",
          cluster.workers(), checkpoints.resumeFrom().get().dir(), done.summary().stepsCommitted(),
          done.summary().parameterSha256());
      out.flush();
      return done;
    }
    EmbeddedCluster.Result result = EmbeddedCluster.run(job, configFile, request.outDir(),
        new EmbeddedCluster.Options(cluster.workers(), cluster.deterministic(),
            Duration.ofSeconds(cluster.timeoutSeconds()), 2048, checkpoints, progress, cluster.externalWorkers()));
    RunSummary s = result.summary();
    out.printf("%s on %d workers: %d steps (%d aborted), last loss %s, parameters %s%n",
        s.completed() ? "trained" : "FAILED", cluster.workers(), s.stepsCommitted(), s.stepsAborted(),
        s.losses().isEmpty() ? "-" : String.format("%.4f", s.losses().get(s.losses().size() - 1)),
        s.parameterSha256());
    out.flush();
    if (!s.completed()) {
      Path file = request.report();
      if (file.toAbsolutePath().getParent() != null) {
        Files.createDirectories(file.toAbsolutePath().getParent());
      }
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(),
          report(result, cluster.workers(), cluster.deterministic()));
      throw CommandFailure.clusterError("the cluster run failed: " + s.detail() + " (report " + file + ")", null);
    }
    return result;
  }

  /**
   * The result of a run resumed from a checkpoint already at its last step, without starting a
   * cluster: the checkpoint's state is the run's final state (its verified checksum is the run's
   * {@code params_sha256}), no step is run, and the audit is checked as after the stretch that
   * wrote the checkpoint (steps recorded after it, from a run that went further, are dropped as a
   * resumed coordinator drops them).
   */
  static EmbeddedCluster.Result atCheckpoint(ClusterJob job, Path outDir, ClusterCheckpointing checkpoints)
      throws IOException {
    Checkpoint cp = checkpoints.resumeFrom().orElseThrow(() -> new IllegalArgumentException(
        "no checkpoint resumed from"));
    String sha = checkpoints.resumePoint().parametersSha256();
    Path auditFile = outDir.resolve("audit.jsonl");
    List<AuditReport> audit = List.of();
    if (Files.exists(auditFile)) {
      try (SampleAudit log = SampleAudit.open(auditFile)) {
        log.rewindAfter(cp.step() - 1);
      }
      audit = EmbeddedCluster.checkAudit(job, auditFile);
    } else {
      LOG.warn("no sample audit at {}: the run that wrote {} kept none here, so its epochs go unchecked", auditFile,
          cp.dir());
    }
    RunSummary summary = new RunSummary(true, "nothing left to train: resumed from " + cp.dir() + " at step "
        + cp.step() + ", where the run ends", cp.step(), 0, sha, List.of(), List.of(), Map.of(), List.of(),
        List.of(), List.of(), cp.dir().toString());
    return new EmbeddedCluster.Result(summary, auditFile, audit, Map.of(), Map.of(), Map.of(), checkpoints);
  }

  /**
   * The file holding the run's final trainable parameters: one a worker wrote whose recorded
   * checksum is the one the coordinator verified on every replica; for a run that had nothing
   * left to train ({@link ClusterCheckpointing#nothingLeft}), the parameters of the checkpoint it
   * resumed from (the caller checks their checksum once loaded).
   *
   * @throws CommandFailure (cluster error) when no worker left such a file
   */
  public static Path finalState(EmbeddedCluster.Result result) throws IOException {
    ClusterCheckpointing checkpoints = result.checkpoints();
    if (checkpoints != null && checkpoints.resumeFrom().isPresent() && result.workerExitCodes().isEmpty()
        && checkpoints.resumeFrom().get().step() == result.summary().stepsCommitted()) {
      return checkpoints.resumeFrom().get().file(TrainCheckpoints.PARAMETERS);
    }
    String expected = result.summary().parameterSha256();
    List<String> seen = new ArrayList<>();
    for (Map.Entry<String, Path> e : result.finalStates().entrySet()) {
      String sha = Safetensors.read(e.getValue()).metadata().get(FinalState.SHA256_KEY);
      if (expected.equals(sha)) {
        return e.getValue();
      }
      seen.add(e.getKey() + ": " + sha);
    }
    throw CommandFailure.clusterError("no worker wrote the run's final parameters with checksum " + expected
        + " (written: " + (seen.isEmpty() ? "none" : String.join(", ", seen)) + ")", null);
  }

  /**
   * The report of a cluster run (the JSON {@code mmict train --workers N --report FILE} writes),
   * for {@code workers} initial workers.
   */
  public static Map<String, Object> report(EmbeddedCluster.Result result, int workers, boolean deterministic) {
    RunSummary s = result.summary();
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("completed", s.completed());
    report.put("detail", s.detail());
    report.put("workers", workers);
    report.put("deterministic", deterministic);
    report.put("params_sha256", s.parameterSha256());
    long resumedAt = result.checkpoints() == null ? 0
        : result.checkpoints().resumeFrom().map(c -> c.step()).orElse(0L);
    report.put("steps_done", s.stepsCommitted());
    report.put("steps_run", s.stepsCommitted() - resumedAt); // by this invocation
    report.put("steps_aborted", s.stepsAborted());
    report.put("losses", s.losses());
    report.put("worker_process_ids", s.processIds());
    List<Map<String, Object>> events = new ArrayList<>();
    for (MembershipEvent e : s.events()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("time", e.time().toString());
      m.put("worker", e.workerId());
      m.put("kind", e.kind().name());
      m.put("step", e.step());
      m.put("detail", e.detail());
      events.add(m);
    }
    report.put("membership_events", events);
    List<Map<String, Object>> aborts = new ArrayList<>();
    for (RunSummary.AbortedAttempt a : s.aborts()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("step", a.step());
      m.put("plan_id", a.planId());
      m.put("reason", a.reason());
      m.put("failed_worker", a.failedWorker());
      m.put("detail", a.detail());
      aborts.add(m);
    }
    report.put("aborted_attempts", aborts);
    List<Map<String, Object>> transfers = new ArrayList<>();
    for (RunSummary.StateTransfer t : s.transfers()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("transfer_id", t.transferId());
      m.put("joiner", t.joiner());
      m.put("donor", t.donor());
      m.put("after_step", t.afterStep());
      m.put("outcome", t.outcome());
      m.put("detail", t.detail());
      transfers.add(m);
    }
    report.put("state_transfers", transfers);
    report.put("audit_file", result.auditFile().toString());
    List<Map<String, Object>> audit = new ArrayList<>();
    for (AuditReport a : result.audit()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("epoch", a.epoch());
      m.put("trained", a.trained());
      m.put("exactly_once", a.exactlyOnce());
      m.put("missing", a.missing().size());
      m.put("duplicated", a.duplicated());
      m.put("unexpected", a.unexpected());
      audit.add(m);
    }
    report.put("audit", audit);
    Map<String, String> logs = new LinkedHashMap<>();
    result.workerLogs().forEach((id, p) -> logs.put(id, p.toString()));
    report.put("worker_logs", logs);
    report.put("worker_exit_codes", result.workerExitCodes());
    if (result.checkpoints() != null) {
      report.putAll(result.checkpoints().report());
    }
    report.put("last_checkpoint", s.lastCheckpoint().isEmpty() ? null : s.lastCheckpoint());
    List<Map<String, Object>> checkpoints = new ArrayList<>();
    for (CheckpointSchedule.Outcome c : s.checkpoints()) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("id", c.id());
      m.put("step", c.stepsDone());
      m.put("writer", c.writer());
      m.put("outcome", c.outcome());
      m.put("path", c.path());
      m.put("detail", c.detail());
      checkpoints.add(m);
    }
    report.put("checkpoints", checkpoints);
    return report;
  }
}
