package dev.mmict.ops.cluster;

import static org.junit.jupiter.api.Assertions.fail;

import dev.mmict.coordinator.audit.SampleAudit;
import dev.mmict.coordinator.audit.StepAudit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Cluster tests watch a running job through its sample audit: the steps committed so far. */
final class AuditWait {

  private AuditWait() { }

  /** The steps the audit at {@code file} records now (none while it is missing or a line is half appended). */
  static List<StepAudit> committed(Path file) {
    try {
      return Files.exists(file) ? SampleAudit.read(file) : List.of();
    } catch (IOException | RuntimeException e) {
      return List.of(); // a line being appended right now: the caller reads again
    }
  }

  /**
   * Polls {@code cluster}'s audit until {@code condition} holds; fails, with the nodes' last
   * warnings, if the run ends first or after 150 s.
   */
  static void until(EmbeddedCluster cluster, Predicate<List<StepAudit>> condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
    while (true) {
      List<StepAudit> steps = committed(cluster.auditFile());
      if (condition.test(steps)) {
        return;
      }
      if (cluster.outcome().isDone()) {
        fail("the run ended before " + what + ": " + cluster.outcome().join().detail() + " (audit " + steps.size()
            + " steps)" + ClusterLogs.trouble(cluster.auditFile().getParent(), 6));
      }
      if (System.nanoTime() > deadline) {
        fail("not within 150 s: " + what + " (audit " + steps.size() + " steps)"
            + ClusterLogs.trouble(cluster.auditFile().getParent(), 6));
      }
      Thread.sleep(100);
    }
  }
}
