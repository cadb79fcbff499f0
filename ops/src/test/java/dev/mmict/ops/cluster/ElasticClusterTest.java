package dev.mmict.ops.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mmict.coordinator.audit.AuditReport;
import dev.mmict.coordinator.audit.MicroBatchAudit;
import dev.mmict.coordinator.audit.SampleAudit;
import dev.mmict.coordinator.audit.StepAudit;
import dev.mmict.coordinator.cluster.RunSummary;
import dev.mmict.coordinator.membership.MembershipEvent;
import dev.mmict.ops.ExitCodes;
import dev.mmict.ops.config.ConfigLoader;
import dev.mmict.ops.config.RunConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Elastic runs on real loopback clusters (issue 4, tests 1–4, 6, 7): worker JVMs killed,
 * restarted, joining, terminated and refused while a deterministic run goes on, each run compared
 * bit for bit with a 1-worker run of the same job. Each run covers several invariants, asserted
 * one by one, so that the JVMs are paid for once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ElasticClusterTest {

  private static final int STEPS = 8;
  private static final Duration RUN_TIMEOUT = Duration.ofSeconds(200);

  @TempDir
  Path dir;

  private String referenceSha;

  private ClusterJob job(List<String> extra) {
    List<String> sets = new java.util.ArrayList<>(List.of("model.backbone=../models/backbone-tiny",
        "data.task=shapes-caption", "trainer.batchSize=8", "trainer.warmupSteps=0", "trainer.lr=3e-3"));
    sets.addAll(extra);
    RunConfig config = new ConfigLoader().load(RunConfig.class, null, sets);
    return ClusterJob.of(config, STEPS, 2);
  }

  private Path configFile(String name) {
    Path file = dir.resolve(name).resolve("config.yaml");
    new ConfigLoader().write(job(List.of()).config(), file);
    return file;
  }

  private static EmbeddedCluster.Options options(int workers) {
    return new EmbeddedCluster.Options(workers, true, RUN_TIMEOUT, 1024);
  }

  /** The final parameters' sha256 of the same job on one worker (computed once, shared). */
  /** Losses of the 1-worker reference run, per committed step (to say where a mismatch starts). */
  private List<Double> referenceLosses = List.of();

  private synchronized String referenceSha() throws Exception {
    if (referenceSha == null) {
      Path out = dir.resolve("alone");
      Path config = configFile("alone");
      EmbeddedCluster.Result r = EmbeddedCluster.run(job(List.of()), config, out, options(1));
      // Aborted attempts are allowed (a CPU-starved JVM may be declared dead and rejoin): a retry
      // recomputes the same bits, which is what the other runs are checked against.
      assertTrue(r.summary().completed(), r.summary().detail() + ClusterLogs.trouble(out, 6));
      referenceSha = r.summary().parameterSha256();
      referenceLosses = r.summary().losses();
      assertEquals(64, referenceSha.length());
    }
    return referenceSha;
  }

  @Test
  @Timeout(420)
  void killRestartAndACorruptedChunkLoseNothingAndEndBitwiseWhereOneWorkerEnds() throws Exception {
    Path out = dir.resolve("churn");
    Path config = configFile("churn");
    EmbeddedCluster.Result result;
    long pid1;
    long pid2;
    long pid3;
    long restartedPid;
    // worker-1 corrupts one of its gradient chunks in the first attempt of step 5.
    try (EmbeddedCluster cluster = EmbeddedCluster.start(job(List.of()), config, out, options(3),
        Map.of("worker-1", List.of("--inject-fault", "corrupt-byte@5")))) {
      pid1 = cluster.process("worker-1").orElseThrow().pid();
      pid2 = cluster.process("worker-2").orElseThrow().pid();
      Process victim = cluster.process("worker-3").orElseThrow();
      pid3 = victim.pid();
      // The restart of worker-3 (same id, new process) is staged as a warm spare so that it
      // loads its model while the run goes on, and joins on cue right after the kill.
      Path cue = out.resolve("worker-3.go");
      restartedPid = cluster.startWorker("worker-3", List.of("--join-when", cue.toString())).pid();
      AuditWait.until(cluster, steps -> steps.size() >= 1, "step 0 committed");
      victim.destroyForcibly(); // kill -9: a reclaimed spot instance
      assertTrue(victim.waitFor(10, TimeUnit.SECONDS));
      Files.writeString(cue, "go");
      AuditWait.until(cluster, steps -> steps.stream().anyMatch(s -> workers(s).contains("worker-3") && s.step() > 0),
          "the restarted worker-3 trains a step");
      result = cluster.await();
    }
    RunSummary s = result.summary();
    assertTrue(s.completed(), s.detail());
    assertEquals(STEPS, s.stepsCommitted());

    // Test 1: the survivors were never restarted; the audit shows every micro-batch once.
    assertEquals(pid1, s.processIds().get("worker-1"), "worker-1 kept its process");
    assertEquals(pid2, s.processIds().get("worker-2"), "worker-2 kept its process");
    assertEquals(restartedPid, s.processIds().get("worker-3"));
    assertNotEquals(pid3, restartedPid);
    assertTrue(kinds(s, MembershipEvent.Kind.DIED).contains("worker-3"), s.events().toString());
    // On a CPU-starved machine a survivor may miss heartbeats and be declared dead; it then
    // registers again from the same process (the pid checks above), never as a restart.
    assertTrue(kinds(s, MembershipEvent.Kind.DIED).stream().allMatch(id -> id.equals("worker-3")
        || kinds(s, MembershipEvent.Kind.JOINED).stream().filter(id::equals).count() == 2), s.events().toString());
    assertAuditComplete(result);

    // Test 2 (a restart is a join): the state came from a live peer; the joiner's checksum agreed
    // from its first step on (the coordinator checks every step's checksums).
    // (A survivor declared dead under CPU starvation rejoins and may get a transfer too.)
    RunSummary.StateTransfer installed = s.transfers().stream()
        .filter(t -> t.outcome().equals("installed") && t.joiner().equals("worker-3"))
        .findFirst().orElseThrow(() -> new AssertionError("no state installed on worker-3: " + s.transfers()));
    List<StepAudit> audit = SampleAudit.read(result.auditFile());
    long firstWith3 = audit.stream().filter(a -> a.step() > 0 && workers(a).contains("worker-3"))
        .mapToLong(StepAudit::step).min().orElseThrow();
    assertEquals(installed.afterStep() + 1, firstWith3, "the joiner enters at the boundary after its state");

    // Test 7: the corrupted chunk was caught by its receiver, the step retried and committed.
    List<RunSummary.AbortedAttempt> crc = s.aborts().stream()
        .filter(a -> a.reason().equals("ABORT_REASON_EXCHANGE_FAILED") && a.detail().contains("CRC")).toList();
    assertEquals(1, crc.size(), "one corrupted-chunk abort: " + s.aborts());
    assertEquals(5, crc.get(0).step());
    assertTrue(audit.stream().anyMatch(a -> a.step() == 5), "step 5 was retried and committed");
    JsonNode report = new ObjectMapper().valueToTree(ClusterTraining.report(result, 3, true));
    assertTrue(report.get("steps_aborted").asInt() >= 1, report.toString());
    boolean reported = false;
    for (JsonNode a : report.get("aborted_attempts")) {
      reported |= a.get("step").asInt() == 5 && a.get("detail").asText().contains("CRC");
    }
    assertTrue(reported, "the report shows the corrupted chunk's abort: " + report.get("aborted_attempts"));

    // Test 3: churn or not, the parameters end bitwise where one worker's do.
    assertEquals(referenceSha(), s.parameterSha256(), "3 workers with a kill and a restart vs 1 worker; losses "
        + s.losses() + " vs " + referenceLosses + "; transfers " + s.transfers() + "; aborts " + s.aborts()
        + "; events " + s.events());
  }

  @Test
  @Timeout(420)
  void aJoinerASigtermedWorkerAndRefusedWorkersAbortNothingAndEndBitwiseWhereOneWorkerEnds() throws Exception {
    Path out = dir.resolve("graceful");
    Path config = configFile("graceful");
    EmbeddedCluster.Result result;
    Process terminated;
    Process wrongModel;
    Process wrongProtocol;
    Path cue = out.resolve("worker-4.go");
    try (EmbeddedCluster cluster = EmbeddedCluster.start(job(List.of()), config, out, options(3))) {
      // worker-4 is a warm spare (model loaded, node up) that joins the run on cue, mid-run.
      cluster.startWorker("worker-4", List.of("--join-when", cue.toString()));
      AuditWait.until(cluster, steps -> steps.size() >= 2, "step 1 committed");
      Files.writeString(cue, "go");
      // Test 6: another seed (so another model fingerprint) and a protocol version from the future.
      wrongModel = cluster.startWorker("stranger-model", List.of("--set", "seed=4242"));
      wrongProtocol = cluster.startWorker("stranger-protocol", List.of("--protocol-version", "2"));
      AuditWait.until(cluster, steps -> steps.stream().anyMatch(s -> workers(s).contains("worker-4")),
          "the joiner worker-4 trains a step");
      // Test 4: SIGTERM (Process.destroy on Linux) while the run goes on.
      terminated = cluster.process("worker-1").orElseThrow();
      terminated.destroy();
      assertTrue(terminated.waitFor(90, TimeUnit.SECONDS), "worker-1 did not exit after SIGTERM");
      assertTrue(wrongModel.waitFor(90, TimeUnit.SECONDS), "the worker with another model was not sent away");
      assertTrue(wrongProtocol.waitFor(90, TimeUnit.SECONDS), "the worker with another protocol was not sent away");
      result = cluster.await();
    }
    RunSummary s = result.summary();
    assertTrue(s.completed(), s.detail());
    assertEquals(STEPS, s.stepsCommitted());

    // Test 2: worker-4 got its state from a peer and took part with agreeing checksums.
    assertTrue(s.transfers().stream().anyMatch(t -> t.joiner().equals("worker-4") && t.outcome().equals("installed")),
        s.transfers().toString());
    // Test 4: worker-1 left at a step boundary; its leave aborted no attempt. (On a CPU-starved
    // machine a node may miss heartbeats, be declared dead and register again from the same
    // process: that aborts a step, but never after the leave was announced, and is no death of
    // the leaver.)
    assertTrue(kinds(s, MembershipEvent.Kind.LEAVING).contains("worker-1"), s.events().toString());
    assertTrue(kinds(s, MembershipEvent.Kind.LEFT).contains("worker-1"), s.events().toString());
    long leaveStep = s.events().stream().filter(e -> e.kind() == MembershipEvent.Kind.LEAVING
        && e.workerId().equals("worker-1")).mapToLong(MembershipEvent::step).min().orElseThrow();
    assertTrue(s.aborts().stream().noneMatch(a -> a.step() >= leaveStep),
        "attempts aborted after worker-1 announced its leave at step " + leaveStep + ": " + s.aborts());
    assertTrue(kinds(s, MembershipEvent.Kind.DIED).stream().allMatch(id ->
        kinds(s, MembershipEvent.Kind.JOINED).stream().filter(id::equals).count() >= 2
            && s.processIds().containsKey(id)), "a graceful leave is no death: " + s.events());
    assertTrue(s.stepsAborted() == 0 || !kinds(s, MembershipEvent.Kind.DIED).isEmpty(),
        "an abort without a death: " + s.aborts());
    List<StepAudit> audit = SampleAudit.read(result.auditFile());
    long lastWith1 = audit.stream().filter(a -> workers(a).contains("worker-1")).mapToLong(StepAudit::step).max()
        .orElseThrow();
    assertTrue(lastWith1 < STEPS - 1, "worker-1 left before the last step");
    assertTrue(audit.stream().filter(a -> a.step() > lastWith1).noneMatch(a -> workers(a).contains("worker-1")));
    assertAuditComplete(result);

    // Test 6: both strangers were refused with a message naming the mismatch, and exited non-zero.
    assertEquals(ExitCodes.CLUSTER_ERROR, wrongModel.exitValue());
    assertEquals(ExitCodes.CLUSTER_ERROR, wrongProtocol.exitValue());
    String modelLog = Files.readString(result.workerLogs().get("stranger-model"));
    assertTrue(modelLog.contains("REFUSAL_REASON_MODEL_FINGERPRINT") && modelLog.contains("model fingerprint"),
        tail(modelLog));
    String protocolLog = Files.readString(result.workerLogs().get("stranger-protocol"));
    assertTrue(protocolLog.contains("REFUSAL_REASON_PROTOCOL_VERSION") && protocolLog.contains("speaks protocol version"),
        tail(protocolLog));
    assertFalse(s.processIds().containsKey("stranger-model"), "a refused worker never became a member");

    // Test 3: 3 workers (with a join and a leave) end bitwise where one worker does.
    assertEquals(referenceSha(), s.parameterSha256(), "3 workers with a join and a SIGTERM vs 1 worker; losses "
        + s.losses() + " vs " + referenceLosses + "; transfers " + s.transfers() + "; events " + s.events());
  }

  private static void assertAuditComplete(EmbeddedCluster.Result result) throws IOException {
    List<StepAudit> audit = SampleAudit.read(result.auditFile());
    assertEquals(STEPS, audit.size(), "one audit line per committed step");
    Set<Long> steps = new HashSet<>();
    for (StepAudit step : audit) {
      assertTrue(steps.add(step.step()), "step " + step.step() + " committed twice");
      assertEquals(4, step.microBatches().size(), "step " + step.step() + ": every micro-batch trained once");
    }
    for (AuditReport epoch : result.audit()) {
      assertTrue(epoch.duplicated().isEmpty(), "samples trained twice in epoch " + epoch.epoch() + ": " + epoch);
      assertTrue(epoch.unexpected().isEmpty(), "unexpected samples in epoch " + epoch.epoch() + ": " + epoch);
    }
  }

  private static Set<String> workers(StepAudit step) {
    Set<String> out = new HashSet<>();
    for (MicroBatchAudit mb : step.microBatches()) {
      out.add(mb.worker());
    }
    return out;
  }

  private static List<String> kinds(RunSummary s, MembershipEvent.Kind kind) {
    return s.events().stream().filter(e -> e.kind() == kind).map(MembershipEvent::workerId).toList();
  }

  private static String tail(String log) {
    return log.length() > 3000 ? log.substring(log.length() - 3000) : log;
  }
}
