package dev.mmict.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.mmict.coordinator.audit.SampleAudit;
import dev.mmict.coordinator.audit.StepAudit;
import dev.mmict.coordinator.membership.Membership;
import dev.mmict.coordinator.membership.MembershipEvent;
import dev.mmict.coordinator.plan.RunPlan;
import dev.mmict.coordinator.plan.StepPlanner;
import dev.mmict.protocol.v1.AbortReason;
import dev.mmict.protocol.v1.DataPlaneAddress;
import dev.mmict.protocol.v1.LeaveNotice;
import dev.mmict.protocol.v1.ProtocolVersion;
import dev.mmict.protocol.v1.RefusalReason;
import dev.mmict.protocol.v1.RegisterWorker;
import dev.mmict.protocol.v1.RunOutcome;
import dev.mmict.protocol.v1.StateTransferDone;
import dev.mmict.protocol.v1.StepAborted;
import dev.mmict.protocol.v1.StepPlan;
import dev.mmict.protocol.v1.StepResult;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.DemoSampler.Strategy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The coordinator's step protocol without Pekko: registrations, barrier, checksums, re-plans. */
class RunDriverTest {

  private static final String FINGERPRINT = "ab".repeat(32);


  @TempDir
  Path dir;

  private SampleAudit audit;
  private StepPlanner planner;

  private RunDriver driver(long maxSteps, int minWorkers) throws IOException {
    audit = SampleAudit.open(dir.resolve("audit.jsonl"));
    planner = StepPlanner.forSplit(new IndexDataset(12), Dataset.TRAIN, new RunPlan(5, 4, 2, 1, Strategy.RANDOM));
    return new RunDriver(planner, new RunSettings("t", maxSteps, FINGERPRINT, s -> 0.001 * (s + 1), minWorkers, 3),
        audit, new Membership(Clock.systemUTC()));
  }

  @AfterEach
  void close() throws IOException {
    if (audit != null) {
      audit.close();
    }
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

  private static StepResult result(StepPlan plan, int sha) {
    return StepResult.newBuilder()
        .setStep(plan.getStep())
        .setPlanId(plan.getPlanId())
        .setWorkerId(plan.getWorkerId())
        .setLossSum(2.0 * plan.getMicroBatchesCount())
        .setSampleCount(2 * plan.getMicroBatchesCount())
        .setParameterSha256(ByteString.copyFrom(new byte[] {(byte) sha, 1, 2, 3}))
        .build();
  }

  private static List<Integer> ids(StepPlan plan) {
    return plan.getMicroBatchesList().stream().map(mb -> mb.getMicroBatchId()).toList();
  }

  @Test
  void aMismatchedWorkerIsRefusedWithBothSidesNamed() throws IOException {
    RunDriver d = driver(3, 1);
    RegisterWorker wrongModel = registration("w1", 9001).toBuilder().setModelFingerprint("cd".repeat(32)).build();
    var refused = d.register(wrongModel).refused().orElseThrow();
    assertEquals(RefusalReason.REFUSAL_REASON_MODEL_FINGERPRINT, refused.getReason());
    assertTrue(refused.getDetail().contains("cdcdcdcdcdcd") && refused.getDetail().contains("abababababab"),
        refused.getDetail());
    RegisterWorker oldProtocol =
        registration("w1", 9001).toBuilder().setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_UNSPECIFIED).build();
    assertEquals(RefusalReason.REFUSAL_REASON_PROTOCOL_VERSION,
        d.register(oldProtocol).refused().orElseThrow().getReason());
    RegisterWorker noPort = registration("w1", 9001).toBuilder().clearDataPlane().build();
    assertEquals(RefusalReason.REFUSAL_REASON_INVALID_REQUEST, d.register(noPort).refused().orElseThrow().getReason());
    assertTrue(d.tryBegin().isEmpty(), "nobody was accepted, so nothing is planned");
    assertTrue(d.register(registration("w1", 9001)).accepted().isPresent());
    assertTrue(d.register(registration("w1", 9001)).accepted().isPresent(), "the same process asking again");
    assertEquals(RefusalReason.REFUSAL_REASON_DUPLICATE_WORKER_ID,
        d.register(registration("w1", 9002)).refused().orElseThrow().getReason());
  }

  @Test
  void twoWorkersSplitEachStepAndCommitOnEqualChecksums() throws IOException {
    RunDriver d = driver(2, 2);
    d.register(registration("w2", 9002));
    assertTrue(d.tryBegin().isEmpty(), "step 0 waits for the second worker");
    d.register(registration("w1", 9001));
    RunDriver.Attempt a = d.tryBegin().orElseThrow();
    assertEquals(0, a.step());
    assertEquals(List.of("w1", "w2"), List.copyOf(a.plans().keySet()));
    StepPlan p1 = a.plans().get("w1");
    StepPlan p2 = a.plans().get("w2");
    assertEquals(List.of(0), ids(p1));
    assertEquals(List.of(1), ids(p2));
    assertEquals(2, p1.getTotalMicroBatches());
    assertEquals(4, p1.getTotalSamples());
    assertEquals(0.001, p1.getLearningRate(), 1e-12);
    assertEquals(List.of("w1", "w2"), p2.getPeersList().stream().map(x -> x.getWorkerId()).toList());
    assertEquals(9002, p1.getPeers(1).getDataPlane().getPort());
    assertEquals(1, p1.getMicroBatches(0).getQueries(0).getDemonstrationIndicesCount());
    assertTrue(d.tryBegin().isEmpty(), "one attempt at a time");

    assertEquals(RunDriver.ResultOutcome.WAITING, d.onResult(result(p2, 7)));
    assertEquals(RunDriver.ResultOutcome.COMMITTED, d.onResult(result(p1, 7)));
    RunDriver.Attempt b = d.tryBegin().orElseThrow();
    assertEquals(1, b.step());
    assertEquals(0.002, b.plans().get("w1").getLearningRate(), 1e-12);
    assertNotEquals(a.planId(), b.planId());
    d.onResult(result(b.plans().get("w1"), 9));
    assertEquals(RunDriver.ResultOutcome.FINISHED, d.onResult(result(b.plans().get("w2"), 9)));
    RunSummary s = d.summary();
    assertTrue(s.completed());
    assertEquals(2, s.stepsCommitted());
    assertEquals(List.of(1.0, 1.0), s.losses());
    assertEquals("09010203", s.parameterSha256());
    assertEquals(RunOutcome.RUN_OUTCOME_COMPLETED, d.finished().orElseThrow().getOutcome());
    List<StepAudit> log = SampleAudit.read(dir.resolve("audit.jsonl"));
    assertEquals(2, log.size());
    assertEquals("w2", log.get(0).microBatches().get(1).worker());
  }

  @Test
  void replicasThatDisagreeStopTheRun() throws IOException {
    RunDriver d = driver(5, 2);
    d.register(registration("w1", 9001));
    d.register(registration("w2", 9002));
    RunDriver.Attempt a = d.tryBegin().orElseThrow();
    d.onResult(result(a.plans().get("w1"), 1));
    assertEquals(RunDriver.ResultOutcome.FAILED, d.onResult(result(a.plans().get("w2"), 2)));
    String detail = d.finished().orElseThrow().getDetail();
    assertTrue(detail.contains("replicas disagree after step 0") && detail.contains("w1=01010203")
        && detail.contains("w2=02010203"), detail);
    assertFalse(d.summary().completed());
    assertTrue(d.tryBegin().isEmpty());
    assertTrue(SampleAudit.read(dir.resolve("audit.jsonl")).isEmpty(), "a failed step is not audited");
  }

  @Test
  void aDeathMidStepReplansTheSameStepOverTheSurvivorAndEverySampleIsTrainedOnce() throws IOException {
    RunDriver d = driver(3, 2);
    d.register(registration("w1", 9001));
    d.register(registration("w2", 9002));
    RunDriver.Attempt a = d.tryBegin().orElseThrow();
    d.onResult(result(a.plans().get("w1"), 4));
    RunDriver.Abort abort = d.onDeath("w2", "unreachable").orElseThrow();
    assertEquals(AbortReason.ABORT_REASON_PEER_DIED, abort.notice().getReason());
    assertEquals(a.planId(), abort.notice().getPlanId());
    assertEquals(List.of("w1", "w2"), abort.participants());
    assertEquals(RunDriver.ResultOutcome.IGNORED, d.onResult(result(a.plans().get("w2"), 4)), "late result");

    RunDriver.Attempt retry = d.tryBegin().orElseThrow();
    assertEquals(0, retry.step());
    assertEquals(List.of("w1"), List.copyOf(retry.plans().keySet()));
    StepPlan only = retry.plans().get("w1");
    assertEquals(List.of(0, 1), ids(only));
    assertEquals(1, only.getAttempt());
    assertTrue(Long.parseLong(retry.planId()) > Long.parseLong(a.planId()));
    assertEquals(RunDriver.ResultOutcome.COMMITTED, d.onResult(result(only, 4)));
    for (int s = 1; s < 3; s++) {
      RunDriver.Attempt next = d.tryBegin().orElseThrow();
      d.onResult(result(next.plans().get("w1"), 4));
    }
    assertTrue(d.summary().completed());
    assertEquals(1, d.summary().stepsAborted());
    List<StepAudit> log = SampleAudit.read(dir.resolve("audit.jsonl"));
    var report = SampleAudit.check(log, 0, planner.queryableIndices());
    assertTrue(report.exactlyOnce(), report.summary());
    assertEquals(List.of("w1", "w1"), log.get(0).microBatches().stream().map(m -> m.worker()).toList());
  }

  @Test
  void aWorkerAbortOrATimeoutAbandonsOnlyTheCurrentAttemptAndTooManyFailTheRun() throws IOException {
    RunDriver d = driver(3, 1);
    d.register(registration("w1", 9001));
    List<String> plans = new ArrayList<>();
    for (int attempt = 0; attempt < 3; attempt++) {
      RunDriver.Attempt a = d.tryBegin().orElseThrow();
      plans.add(a.planId());
      assertTrue(d.onWorkerAbort(StepAborted.newBuilder().setPlanId("stale").build()).isEmpty());
      if (attempt == 0) {
        assertTrue(d.onTimeout(a.planId(), "slow").isPresent());
      } else {
        d.onWorkerAbort(StepAborted.newBuilder().setStep(0).setPlanId(a.planId())
            .setReason(AbortReason.ABORT_REASON_EXCHANGE_FAILED).setReportingWorkerId("w1").build()).orElseThrow();
      }
    }
    assertEquals(3, new TreeSet<>(plans).size());
    String detail = d.finished().orElseThrow().getDetail();
    assertTrue(detail.contains("step 0 was aborted 3 times"), detail);
    assertTrue(d.tryBegin().isEmpty());
  }

  @Test
  void aLeavingWorkerFinishesTheStepInFlightThenLeavesAtTheBoundary() throws IOException {
    RunDriver d = driver(3, 2);
    d.register(registration("w1", 9001));
    d.register(registration("w2", 9002));
    RunDriver.Attempt a = d.tryBegin().orElseThrow();
    var answer = d.onLeave(LeaveNotice.newBuilder().setWorkerId("w2").build()).orElseThrow();
    assertEquals(0, answer.getLastStep());
    d.onResult(result(a.plans().get("w1"), 3));
    assertEquals(RunDriver.ResultOutcome.COMMITTED, d.onResult(result(a.plans().get("w2"), 3)));
    RunDriver.Attempt b = d.tryBegin().orElseThrow();
    assertEquals(List.of("w2"), b.leftNow());
    assertEquals(List.of("w1"), List.copyOf(b.plans().keySet()));
    assertEquals(List.of(0, 1), ids(b.plans().get("w1")));
    assertEquals(0, d.summary().stepsAborted(), "a graceful leave aborts nothing");
    assertEquals(Map.of("w1", 9001L, "w2", 9002L), d.summary().processIds());
  }

  private static StateTransferDone done(RunDriver.Transfer t, int sha) {
    return StateTransferDone.newBuilder()
        .setTransferId(t.transferId())
        .setWorkerId(t.joiner())
        .setAfterStep(t.request().getAfterStep())
        .setParameterSha256(ByteString.copyFrom(new byte[] {(byte) sha, 1, 2, 3}))
        .build();
  }

  @Test
  void aJoinerGetsTheStateAtTheNextBoundaryWhichWaitsForItThenEntersWithTheNextStep() throws IOException {
    RunDriver d = driver(4, 1);
    d.register(registration("w1", 9001));
    RunDriver.Attempt s0 = d.tryBegin().orElseThrow();
    var accepted = d.register(registration("w3", 9003)).accepted().orElseThrow();
    assertTrue(accepted.getStateTransferRequired(), "joining after step 0 began needs a peer's state");
    assertTrue(d.nextTransfer().isEmpty(), "never during a step");
    d.onResult(result(s0.plans().get("w1"), 5));

    RunDriver.Transfer t = d.nextTransfer().orElseThrow();
    assertEquals("w1", t.donor());
    assertEquals("w3", t.joiner());
    assertEquals(0, t.request().getAfterStep());
    assertEquals(9003, t.request().getJoinerDataPlane().getPort());
    assertTrue(d.tryBegin().isEmpty(), "the boundary waits for the transfer");
    assertTrue(d.nextTransfer().isEmpty(), "one transfer at a time");
    assertEquals(RunDriver.TransferOutcome.IGNORED,
        d.onTransferDone(done(t, 5).toBuilder().setTransferId("other").build()));

    assertEquals(RunDriver.TransferOutcome.SYNCED, d.onTransferDone(done(t, 5)));
    RunDriver.Attempt s1 = d.tryBegin().orElseThrow();
    assertEquals(1, s1.step());
    assertEquals(List.of("w1", "w3"), List.copyOf(s1.plans().keySet()), "the joiner takes part from step 1");
    List<MembershipEvent.Kind> w3 = d.summary().events().stream().filter(e -> e.workerId().equals("w3"))
        .map(MembershipEvent::kind).toList();
    assertEquals(List.of(MembershipEvent.Kind.JOINED, MembershipEvent.Kind.SYNCED, MembershipEvent.Kind.ACTIVATED), w3);
    assertEquals(List.of(new RunSummary.StateTransfer(t.transferId(), "w3", "w1", 0, "installed", "")),
        d.summary().transfers());
    assertEquals(0, d.summary().stepsAborted(), "a join aborts nothing");
  }

  @Test
  void aTransferWithTheWrongChecksumFailsAndTheRunGoesOnThenTriesAgain() throws IOException {
    RunDriver d = driver(4, 1);
    d.register(registration("w1", 9001));
    RunDriver.Attempt s0 = d.tryBegin().orElseThrow();
    d.register(registration("w2", 9002));
    d.onResult(result(s0.plans().get("w1"), 5));
    RunDriver.Transfer first = d.nextTransfer().orElseThrow();
    assertEquals(RunDriver.TransferOutcome.FAILED, d.onTransferDone(done(first, 6)));
    String detail = d.summary().transfers().get(0).detail();
    assertTrue(detail.contains("06010203") && detail.contains("05010203"), detail);

    // The run does not wait for a failed joiner: step 1 goes ahead without it...
    RunDriver.Attempt s1 = d.tryBegin().orElseThrow();
    assertEquals(List.of("w1"), List.copyOf(s1.plans().keySet()));
    d.onResult(result(s1.plans().get("w1"), 7));
    // ...and the next boundary tries again with the state after step 1.
    RunDriver.Transfer second = d.nextTransfer().orElseThrow();
    assertNotEquals(first.transferId(), second.transferId());
    assertEquals(1, second.request().getAfterStep());
    assertTrue(d.onTransferTimeout(second.transferId(), "not done within 60 s"));
    assertFalse(d.onTransferTimeout(second.transferId(), "again"), "a timeout of a finished transfer is ignored");
    RunDriver.Attempt s2 = d.tryBegin().orElseThrow();
    d.onResult(result(s2.plans().get("w1"), 8));
    RunDriver.Transfer third = d.nextTransfer().orElseThrow();
    assertEquals(RunDriver.TransferOutcome.FAILED,
        d.onTransferDone(done(third, 8).toBuilder().setError("chunk 3 failed its CRC-32C").build()));
    assertEquals(List.of("failed", "failed", "failed"),
        d.summary().transfers().stream().map(RunSummary.StateTransfer::outcome).toList());
    RunDriver.Attempt s3 = d.tryBegin().orElseThrow();
    d.onResult(result(s3.plans().get("w1"), 9));
    assertTrue(d.summary().completed(), "three failed transfers did not stop the run");
    assertEquals(0, d.summary().stepsAborted());
  }

  @Test
  void theDonorsDeathCancelsTheTransferAndFreesTheBoundary() throws IOException {
    RunDriver d = driver(4, 1);
    d.register(registration("w1", 9001));
    d.register(registration("w2", 9002));
    RunDriver.Attempt s0 = d.tryBegin().orElseThrow();
    d.register(registration("w3", 9003));
    d.onResult(result(s0.plans().get("w1"), 5));
    d.onResult(result(s0.plans().get("w2"), 5));
    RunDriver.Transfer t = d.nextTransfer().orElseThrow();
    assertEquals("w1", t.donor());
    assertTrue(d.onDeath("w1", "unreachable").isEmpty(), "no step in flight: nothing to abort");
    assertTrue(d.currentTransfer().isEmpty());
    RunDriver.Transfer again = d.nextTransfer().orElseThrow();
    assertEquals("w2", again.donor(), "the next active worker donates");
    assertEquals(RunDriver.TransferOutcome.IGNORED, d.onTransferDone(done(t, 5)), "the cancelled transfer's report");
    assertEquals(RunDriver.TransferOutcome.SYNCED, d.onTransferDone(done(again, 5)));
    assertEquals(List.of("w2", "w3"), List.copyOf(d.tryBegin().orElseThrow().plans().keySet()));
  }

  @Test
  void aLeaverWhoseNodeGoesAfterItsLastStepCommittedLeftInsteadOfDying() throws IOException {
    RunDriver d = driver(4, 2);
    d.register(registration("w1", 9001));
    d.register(registration("w2", 9002));
    RunDriver.Attempt a = d.tryBegin().orElseThrow();
    d.onLeave(LeaveNotice.newBuilder().setWorkerId("w2").build());
    d.onResult(result(a.plans().get("w1"), 3));
    d.onResult(result(a.plans().get("w2"), 3));
    // The committed step leaves w2 LEAVING until the next boundary; its node may already be gone.
    assertTrue(d.onDeath("w2", "its node was removed").isEmpty());
    RunDriver.Attempt b = d.tryBegin().orElseThrow();
    assertEquals(List.of("w1"), List.copyOf(b.plans().keySet()));
    List<MembershipEvent.Kind> w2 = d.summary().events().stream().filter(e -> e.workerId().equals("w2"))
        .map(MembershipEvent::kind).toList();
    assertEquals(List.of(MembershipEvent.Kind.JOINED, MembershipEvent.Kind.SYNCED, MembershipEvent.Kind.ACTIVATED,
        MembershipEvent.Kind.LEAVING, MembershipEvent.Kind.LEFT), w2);
    assertEquals(0, d.summary().stepsAborted());
  }

  @Test
  void anAbortIsRecordedWithItsReasonForTheReport() throws IOException {
    RunDriver d = driver(2, 2);
    d.register(registration("w1", 9001));
    d.register(registration("w2", 9002));
    RunDriver.Attempt a = d.tryBegin().orElseThrow();
    d.onWorkerAbort(StepAborted.newBuilder().setStep(0).setPlanId(a.planId())
        .setReason(AbortReason.ABORT_REASON_EXCHANGE_FAILED).setReportingWorkerId("w2").setFailedWorkerId("w1")
        .setDetail("payload CRC-32C is 1234abcd, the sender wrote 00ff00ff").build()).orElseThrow();
    RunSummary.AbortedAttempt abort = d.summary().aborts().get(0);
    assertEquals(0, abort.step());
    assertEquals(a.planId(), abort.planId());
    assertEquals("ABORT_REASON_EXCHANGE_FAILED", abort.reason());
    assertEquals("w1", abort.failedWorker());
    assertTrue(abort.detail().contains("w2 reported") && abort.detail().contains("CRC-32C"), abort.detail());
    // The peer whose connection the failing worker closed reports too, after the abort.
    assertTrue(d.onWorkerAbort(StepAborted.newBuilder().setStep(0).setPlanId(a.planId())
        .setReason(AbortReason.ABORT_REASON_EXCHANGE_FAILED).setReportingWorkerId("w1")
        .setDetail("connection closed by rank 1").build()).isEmpty(), "the attempt is already abandoned");
    String both = d.summary().aborts().get(0).detail();
    assertTrue(both.contains("CRC-32C") && both.contains("then w1 reported: connection closed"), both);
    assertEquals(1, d.summary().aborts().size());
    RunDriver.Attempt retry = d.tryBegin().orElseThrow();
    assertEquals(0, retry.step());
    assertEquals(1, retry.plans().get("w1").getAttempt(), "the same step, retried over the same workers");
    assertEquals(List.of("w1", "w2"), List.copyOf(retry.plans().keySet()));
  }

  @Test
  void aWorkerWronglyDeclaredDeadRegistersAgainWithItsCurrentStateAndIsSyncedAtOnce() throws IOException {
    RunDriver d = driver(4, 2);
    d.register(registration("w1", 9001));
    d.register(registration("w2", 9002));
    RunDriver.Attempt s0 = d.tryBegin().orElseThrow();
    d.onResult(result(s0.plans().get("w1"), 5));
    d.onResult(result(s0.plans().get("w2"), 5));
    RunDriver.Attempt s1 = d.tryBegin().orElseThrow();
    // w2's node missed heartbeats: declared dead, step 1 aborted; but w2 is alive and comes back.
    d.onDeath("w2", "its node is unreachable").orElseThrow();
    RegisterWorker back = registration("w2", 9002).toBuilder().setLastCompletedStep(0)
        .setParameterSha256(ByteString.copyFrom(new byte[] {5, 1, 2, 3})).build();
    var accepted = d.register(back).accepted().orElseThrow();
    assertFalse(accepted.getStateTransferRequired(), "its replica holds the state after the last commit");
    assertTrue(d.nextTransfer().isEmpty());
    RunDriver.Attempt retry = d.tryBegin().orElseThrow();
    assertEquals(1, retry.step());
    assertEquals(List.of("w1", "w2"), List.copyOf(retry.plans().keySet()));
    assertNotEquals(s1.planId(), retry.planId());
    assertEquals(Map.of("w1", 9001L, "w2", 9002L), d.summary().processIds(), "the same process");
  }
}
