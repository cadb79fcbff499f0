package dev.mmict.ops.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mmict.coordinator.audit.AuditReport;
import dev.mmict.coordinator.cluster.RunSummary;
import dev.mmict.coordinator.membership.MembershipEvent;
import dev.mmict.ops.CommandFailure;
import dev.mmict.ops.cli.ClusterRequest;
import dev.mmict.ops.cli.RunRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code mmict train --workers N}: trains the configured job on an {@link EmbeddedCluster} and
 * writes its report: the final trainable parameters' sha256 ({@code params_sha256}), the steps
 * run and aborted, the membership events, the per-step losses, and the sample audit's verdict.
 */
public final class ClusterTraining {

  private ClusterTraining() { }

  /** Runs the request on a local cluster; a run that does not complete is a cluster error (exit 5). */
  public static void train(RunRequest request, ClusterRequest cluster, PrintWriter out)
      throws IOException, InterruptedException {
    ClusterJob job = ClusterJob.of(request.config(), cluster.maxSteps(), cluster.microBatchSize());
    Path configFile = request.outDir().resolve("config.yaml");
    EmbeddedCluster.Result result = EmbeddedCluster.run(job, configFile, request.outDir(),
        new EmbeddedCluster.Options(cluster.workers(), cluster.deterministic(),
            Duration.ofSeconds(cluster.timeoutSeconds()), 2048));
    RunSummary s = result.summary();
    Map<String, Object> report = new LinkedHashMap<>();
    report.put("completed", s.completed());
    report.put("detail", s.detail());
    report.put("workers", cluster.workers());
    report.put("deterministic", cluster.deterministic());
    report.put("params_sha256", s.parameterSha256());
    report.put("steps_run", s.stepsCommitted());
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
    Path file = request.report();
    if (file.toAbsolutePath().getParent() != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), report);
    out.printf("%s on %d workers: %d steps (%d aborted), last loss %s, parameters %s%nreport: %s%n",
        s.completed() ? "trained" : "FAILED", cluster.workers(), s.stepsCommitted(), s.stepsAborted(),
        s.losses().isEmpty() ? "-" : String.format("%.4f", s.losses().get(s.losses().size() - 1)),
        s.parameterSha256(), file);
    out.flush();
    if (!s.completed()) {
      throw CommandFailure.clusterError("the cluster run failed: " + s.detail() + " (report " + file + ")", null);
    }
  }
}
