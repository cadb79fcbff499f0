package dev.mmict.ops.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mmict.coordinator.audit.AuditReport;
import dev.mmict.coordinator.audit.MicroBatchAudit;
import dev.mmict.coordinator.audit.SampleAudit;
import dev.mmict.coordinator.audit.StepAudit;
import dev.mmict.ops.config.ConfigLoader;
import dev.mmict.ops.config.RunConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4, test 5: the coordinator's node is killed with {@code kill -9} mid-run; the standby
 * coordinator takes the run over from the audit, the run state and the workers' reports, and the
 * run completes: every step and micro-batch in the audit once, the survivors never restarted, and
 * the final parameters bitwise those of an uninterrupted run of the same job.
 */
class CoordinatorFailoverTest {

  private static final int STEPS = 8;
  private static final int MICRO_BATCHES = 4;

  @TempDir
  Path dir;

  private ClusterJob job() {
    RunConfig config = new ConfigLoader().load(RunConfig.class, null, List.of("model.backbone=../models/backbone-tiny",
        "data.task=shapes-caption", "trainer.batchSize=8", "trainer.warmupSteps=0", "trainer.lr=3e-3"));
    return ClusterJob.of(config, STEPS, 2);
  }

  private Path configFile(String name) {
    Path file = dir.resolve(name).resolve("config.yaml");
    new ConfigLoader().write(job().config(), file);
    return file;
  }

  private static EmbeddedCluster.Options options(int workers) {
    return new EmbeddedCluster.Options(workers, true, Duration.ofSeconds(150), 1024);
  }

  @Test
  @Timeout(330)
  void theStandbyTakesOverWhenTheCoordinatorsNodeIsKilledAndTheRunEndsWhereAnUninterruptedRunEnds()
      throws Exception {
    StandbyCluster.Result result;
    long pid1;
    long pid2;
    long standbyPid;
    long committedBeforeKill;
    try (StandbyCluster cluster = StandbyCluster.start(job(), configFile("failover"), dir.resolve("failover"),
        options(2))) {
      pid1 = cluster.process("worker-1").orElseThrow().pid();
      pid2 = cluster.process("worker-2").orElseThrow().pid();
      standbyPid = cluster.process("coordinator-b").orElseThrow().pid();
      Process active = cluster.process("coordinator-a").orElseThrow();
      committedBeforeKill = awaitCommitted(cluster, active, 2); // steps 0 and 1
      long killedAt = System.nanoTime();
      active.destroyForcibly(); // kill -9 of the coordinator's node
      assertTrue(active.waitFor(10, TimeUnit.SECONDS), "the active coordinator's JVM is gone");
      long next = awaitCommitted(cluster, null, (int) committedBeforeKill + 1);
      System.out.printf("failover: kill -9 of the coordinator after %d commits -> commit %d by the standby after %d ms%n",
          committedBeforeKill, next, (System.nanoTime() - killedAt) / 1_000_000);
      result = cluster.await();
    }
    JsonNode s = result.summary();
    assertTrue(s.get("completed").asBoolean(), s.get("detail").asText() + " (logs " + result.logs() + ")");
    assertEquals(STEPS, s.get("steps_run").asLong());
    assertEquals(1, s.get("coordinator_incarnation").asLong(), "the first takeover finished the run");
    assertEquals(standbyPid, s.get("coordinator_process_id").asLong(), "the standby's process reported it");
    assertEquals(STEPS, s.get("losses").size(), "the losses before the takeover came from the run state");

    // Survivors keep going: the workers re-registered from the processes they started in.
    assertEquals(pid1, s.get("worker_process_ids").get("worker-1").asLong());
    assertEquals(pid2, s.get("worker_process_ids").get("worker-2").asLong());

    // Nothing lost, nothing twice: one audit line per step, every micro-batch of every step once.
    List<StepAudit> audit = SampleAudit.read(result.auditFile());
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L), audit.stream().map(StepAudit::step).toList());
    for (StepAudit step : audit) {
      Set<Integer> ids = new TreeSet<>();
      for (MicroBatchAudit mb : step.microBatches()) {
        assertTrue(ids.add(mb.microBatch()), "step " + step.step() + ": micro-batch " + mb.microBatch() + " twice");
      }
      assertEquals(MICRO_BATCHES, ids.size(), "step " + step.step() + ": every micro-batch trained");
    }
    for (AuditReport epoch : result.audit()) {
      assertTrue(epoch.duplicated().isEmpty(), "samples trained twice in epoch " + epoch.epoch() + ": " + epoch);
      assertTrue(epoch.unexpected().isEmpty(), "unexpected samples in epoch " + epoch.epoch() + ": " + epoch);
    }
    assertTrue(committedBeforeKill >= 2 && committedBeforeKill < STEPS,
        "the kill came mid-run, after " + committedBeforeKill + " commits");

    // Deterministic mode: the run ends bitwise where an uninterrupted 1-worker run of the same job ends.
    EmbeddedCluster.Result alone = EmbeddedCluster.run(job(), configFile("alone"), dir.resolve("alone"), options(1));
    assertTrue(alone.summary().completed(), alone.summary().detail());
    assertEquals(alone.summary().parameterSha256(), s.get("params_sha256").asText(),
        "final parameters after the failover vs. uninterrupted; losses " + s.get("losses") + " vs "
            + alone.summary().losses());
  }

  /**
   * Polls the audit until at least {@code steps} steps are committed (failing early if {@code
   * active}, when given, exits first); the number committed then.
   */
  private static long awaitCommitted(StandbyCluster cluster, Process active, int steps)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      List<StepAudit> committed = AuditWait.committed(cluster.auditFile());
      if (committed.size() >= steps) {
        return committed.size();
      }
      if (active != null && !active.isAlive()) {
        fail("the active coordinator exited before step " + (steps - 1) + " committed"
            + ClusterLogs.trouble(cluster.auditFile().getParent(), 20));
      }
      if (System.nanoTime() > deadline) {
        fail("fewer than " + steps + " steps committed within 120 s (" + committed.size() + ")"
            + ClusterLogs.trouble(cluster.auditFile().getParent(), 20));
      }
      Thread.sleep(100);
    }
  }
}
