package dev.mmict.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.mmict.coordinator.audit.MicroBatchAudit;
import dev.mmict.coordinator.audit.SampleAudit;
import dev.mmict.coordinator.audit.StepAudit;
import dev.mmict.coordinator.membership.Membership;
import dev.mmict.coordinator.plan.RunPlan;
import dev.mmict.coordinator.plan.StepPlanner;
import dev.mmict.coordinator.recovery.Recovery;
import dev.mmict.coordinator.recovery.ResumePoint;
import dev.mmict.coordinator.recovery.RunState;
import dev.mmict.coordinator.recovery.RunStateFile;
import dev.mmict.protocol.v1.DataPlaneAddress;
import dev.mmict.protocol.v1.ProtocolVersion;
import dev.mmict.protocol.v1.RegisterWorker;
import dev.mmict.protocol.v1.StepPlan;
import dev.mmict.protocol.v1.StepResult;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.DemoSampler.Strategy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A standby's driver takes a run over from the audit and the run state a dead coordinator left,
 * and the workers' reports: the step in flight is planned again, nothing is trained twice.
 */
class RunDriverTakeoverTest {

  private static final String FINGERPRINT = "ab".repeat(32);


  @TempDir
  Path dir;

  private final List<SampleAudit> opened = new ArrayList<>();
  private final StepPlanner planner =
      StepPlanner.forSplit(new IndexDataset(12), Dataset.TRAIN, new RunPlan(5, 4, 2, 1, Strategy.RANDOM));

  @AfterEach
  void close() throws IOException {
    for (SampleAudit a : opened) {
      a.close();
    }
  }

  private Path auditFile() {
    return dir.resolve("audit.jsonl");
  }

  private RunStateFile stateFile() {
    return RunStateFile.besideAudit(auditFile());
  }

  /** A coordinator's driver as a node starts it: a new run, or (takeover) rebuilt from the files. */
  private RunDriver driver(boolean takeover, long maxSteps) throws IOException {
    SampleAudit audit = SampleAudit.open(auditFile());
    opened.add(audit);
    RunSettings settings = new RunSettings("run-1", maxSteps, FINGERPRINT, s -> 0.001, 2, 3);
    ResumePoint from = takeover
        ? Recovery.takeOver("run-1", FINGERPRINT, stateFile().read(), audit.lastCommittedStep(), "test files")
        : ResumePoint.fresh();
    return RunDriver.durable(planner, settings, audit, new Membership(Clock.systemUTC()), RunListener.NONE,
        Clock.systemUTC(), stateFile(), from);
  }

  private static RegisterWorker registration(String id, int port) {
    return RegisterWorker.newBuilder()
        .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
        .setModelFingerprint(FINGERPRINT)
        .setWorkerId(id)
        .setNodeAddress("pekko://mmict@127.0.0.1:" + (port + 1))
        .setProcessId(port)
        .setDataPlane(DataPlaneAddress.newBuilder().setHost("127.0.0.1").setPort(port))
        .build();
  }

  private static RegisterWorker reporting(String id, int port, long step, int sha) {
    return registration(id, port).toBuilder().setLastCompletedStep(step).setParameterSha256(sha(sha)).build();
  }

  private static ByteString sha(int b) {
    return ByteString.copyFrom(new byte[] {(byte) b, 1, 2, 3});
  }

  private static StepResult result(StepPlan plan, int sha) {
    return StepResult.newBuilder()
        .setStep(plan.getStep())
        .setPlanId(plan.getPlanId())
        .setWorkerId(plan.getWorkerId())
        .setLossSum(2.0 * plan.getMicroBatchesCount())
        .setSampleCount(2 * plan.getMicroBatchesCount())
        .setParameterSha256(sha(sha))
        .build();
  }

  /** Runs step 0 on w1 and w2 (parameters 05010203), then plans step 1 and returns its attempt. */
  private RunDriver.Attempt commitStepZeroAndBeginStepOne(RunDriver d) {
    d.register(registration("w1", 9001));
    d.register(registration("w2", 9002));
    RunDriver.Attempt s0 = d.tryBegin().orElseThrow();
    s0.plans().values().forEach(p -> d.onResult(result(p, 5)));
    RunDriver.Attempt s1 = d.tryBegin().orElseThrow();
    assertTrue(d.writeStateIfDue().isEmpty(), "as the coordinator actor does once step 1's plans are out");
    return s1;
  }

  @Test
  void theRunStateOfACommitIsWrittenOnceTheNextPlanIsOutNotBeforeIt() throws IOException {
    RunDriver d = driver(false, 3);
    d.register(registration("w1", 9001));
    d.register(registration("w2", 9002));
    RunDriver.Attempt s0 = d.tryBegin().orElseThrow();
    s0.plans().values().forEach(p -> d.onResult(result(p, 5)));
    assertEquals(-1, state().lastCommittedStep(), "the commit itself only forces the audit");
    d.tryBegin().orElseThrow();
    assertEquals(-1, state().lastCommittedStep());
    assertTrue(d.writeStateIfDue().isEmpty());
    assertEquals(0, state().lastCommittedStep());
    assertEquals("05010203", state().parametersSha256());
    assertEquals(1, state().losses().size());
    java.nio.file.Files.delete(stateFile().path());
    assertTrue(d.writeStateIfDue().isEmpty());
    assertTrue(stateFile().read().isEmpty(), "nothing is due twice");
  }

  @Test
  void aStandbyReplansTheStepInFlightAndEveryStepAndSampleIsTrainedOnce() throws IOException {
    RunDriver active = driver(false, 3);
    RunDriver.Attempt lost = commitStepZeroAndBeginStepOne(active);
    assertEquals(1, lost.step());
    // The active coordinator dies here: w1 finished and applied step 1, w2 had not; no commit.
    assertEquals(0, state().lastCommittedStep());

    RunDriver standby = driver(true, 3);
    assertEquals(1, standby.incarnation());
    assertTrue(standby.isTakingOver());
    var w1 = standby.register(reporting("w1", 9001, 1, 7)).accepted().orElseThrow();
    assertFalse(w1.getStateTransferRequired(), "w1 undoes its uncommitted step 1 when step 1 is planned again");
    assertEquals(1, w1.getNextStep());
    assertTrue(standby.tryBegin().isEmpty(), "the standby waits for the run's 2 workers");
    var w2 = standby.register(reporting("w2", 9002, 0, 5)).accepted().orElseThrow();
    assertFalse(w2.getStateTransferRequired(), "w2 holds the recorded parameters after step 0");
    RunDriver.Attempt again = standby.tryBegin().orElseThrow();
    assertEquals(1, again.step());
    long planId = Long.parseLong(again.plans().get("w1").getPlanId());
    assertTrue(planId > Long.parseLong(lost.planId()) && planId > 1L << 32,
        "plan ids of the new incarnation are above the old ones: " + planId);
    assertEquals(RunDriver.ResultOutcome.WAITING, standby.onResult(result(again.plans().get("w1"), 6)));
    assertEquals(RunDriver.ResultOutcome.COMMITTED, standby.onResult(result(again.plans().get("w2"), 6)));
    assertFalse(standby.isTakingOver());
    RunDriver.Attempt s2 = standby.tryBegin().orElseThrow();
    s2.plans().values().forEach(p -> standby.onResult(result(p, 8)));

    RunSummary s = standby.summary();
    assertTrue(s.completed(), s.detail());
    assertEquals(3, s.stepsCommitted());
    assertEquals("08010203", s.parameterSha256());
    assertEquals(3, s.losses().size(), "step 0's loss came from the run state");
    List<StepAudit> audit = SampleAudit.read(auditFile());
    assertEquals(List.of(0L, 1L, 2L), audit.stream().map(StepAudit::step).toList(), "each step committed once");
    TreeSet<Integer> samples = new TreeSet<>();
    int trained = 0;
    for (StepAudit step : audit) {
      for (MicroBatchAudit mb : step.microBatches()) {
        samples.addAll(mb.samples());
        trained += mb.samples().size();
      }
    }
    assertEquals(12, trained);
    assertEquals(12, samples.size(), "every sample of the epoch exactly once");
    RunState end = state();
    assertEquals(RunState.COMPLETED, end.outcome());
    assertEquals(1, end.incarnation());
    assertEquals("08010203", end.parametersSha256());
  }

  @Test
  void aWorkerWithOtherParametersNeedsAStateTransferAndAStaleStepIsOnlyForgivenDuringTheTakeover()
      throws IOException {
    RunDriver active = driver(false, 4);
    commitStepZeroAndBeginStepOne(active);
    RunDriver standby = driver(true, 4);
    assertTrue(standby.register(reporting("w1", 9001, 0, 9)).accepted().orElseThrow().getStateTransferRequired(),
        "parameters after step 0 that differ from the recorded ones");
    standby.register(reporting("w2", 9002, 1, 7));
    standby.startWithWhoeverIsThere();
    RunDriver.Attempt s1 = standby.tryBegin().orElseThrow();
    assertEquals(List.of("w2"), List.copyOf(s1.plans().keySet()));
    s1.plans().values().forEach(p -> standby.onResult(result(p, 6)));
    // After its first commit the standby is an ordinary coordinator: a report one step ahead is stale.
    assertTrue(standby.register(reporting("w3", 9003, 2, 7)).accepted().orElseThrow().getStateTransferRequired());
  }

  @Test
  void whenTheRunStateMissedTheLastCommitTheFirstReportSetsTheChecksumTheOthersMustMatch() throws IOException {
    RunDriver active = driver(false, 4);
    RunDriver.Attempt s1 = commitStepZeroAndBeginStepOne(active);
    s1.plans().values().forEach(p -> active.onResult(result(p, 6)));
    active.writeStateIfDue();
    // Simulate a death between the audit's commit of step 1 and the run state's.
    RunState before = state();
    stateFile().write(new RunState(before.format(), before.runId(), before.modelFingerprint(), 0, 0, "05010203", 0,
        before.losses().subList(0, 1), RunState.RUNNING, ""));

    RunDriver standby = driver(true, 4);
    assertFalse(standby.register(reporting("w2", 9002, 1, 6)).accepted().orElseThrow().getStateTransferRequired());
    assertTrue(standby.register(reporting("w1", 9001, 1, 4)).accepted().orElseThrow().getStateTransferRequired(),
        "a replica that disagrees with the adopted checksum");
    assertTrue(standby.tryBegin().isEmpty(), "only one worker holds the run's state: the standby waits");
    standby.startWithWhoeverIsThere();
    assertEquals(2, standby.tryBegin().orElseThrow().step());
  }

  @Test
  void aTakeoverOfAnEndedRunEndsAtOnceWithItsOutcome() throws IOException {
    RunDriver active = driver(false, 2);
    RunDriver.Attempt s1 = commitStepZeroAndBeginStepOne(active);
    s1.plans().values().forEach(p -> active.onResult(result(p, 6)));
    assertTrue(active.summary().completed());

    RunDriver standby = driver(true, 2);
    assertTrue(standby.endedBeforeStart());
    assertTrue(standby.finished().isPresent());
    assertTrue(standby.summary().completed());
    assertEquals("06010203", standby.summary().parameterSha256());
    assertTrue(standby.tryBegin().isEmpty());
  }

  private RunState state() throws IOException {
    return stateFile().read().orElseThrow();
  }
}
