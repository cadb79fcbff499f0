package dev.mmict.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.mmict.coordinator.audit.SampleAudit;
import dev.mmict.coordinator.checkpoint.CheckpointPolicy;
import dev.mmict.coordinator.checkpoint.CheckpointSchedule;
import dev.mmict.coordinator.membership.Membership;
import dev.mmict.coordinator.plan.RunPlan;
import dev.mmict.coordinator.plan.StepPlanner;
import dev.mmict.coordinator.recovery.ResumePoint;
import dev.mmict.coordinator.recovery.RunStateFile;
import dev.mmict.protocol.v1.CheckpointRequest;
import dev.mmict.protocol.v1.CheckpointWritten;
import dev.mmict.protocol.v1.DataPlaneAddress;
import dev.mmict.protocol.v1.ProtocolVersion;
import dev.mmict.protocol.v1.RegisterWorker;
import dev.mmict.protocol.v1.RunOutcome;
import dev.mmict.protocol.v1.StepPlan;
import dev.mmict.protocol.v1.StepResult;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.DemoSampler.Strategy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Coordinator-scheduled checkpoints in the driver: when, who, and the end of the run waiting for the last. */
class RunDriverCheckpointTest {

  private static final String FINGERPRINT = "ab".repeat(32);
  private static final byte[] SHA = {9, 1, 2, 3};


  @TempDir
  Path dir;

  private SampleAudit audit;

  private RunDriver driver(long maxSteps, ResumePoint from) throws IOException {
    audit = SampleAudit.open(dir.resolve("audit.jsonl"));
    StepPlanner planner =
        StepPlanner.forSplit(new IndexDataset(12), Dataset.TRAIN, new RunPlan(5, 4, 2, 1, Strategy.RANDOM));
    return RunDriver.durable(planner, new RunSettings("t", maxSteps, FINGERPRINT, s -> 0.001, 2, 3), audit,
        new Membership(Clock.systemUTC()), RunListener.NONE, Clock.systemUTC(),
        RunStateFile.besideAudit(dir.resolve("audit.jsonl")), from);
  }

  @AfterEach
  void close() throws IOException {
    if (audit != null) {
      audit.close();
    }
  }

  private static RegisterWorker registration(String id, int port, long lastStep) {
    RegisterWorker.Builder b = RegisterWorker.newBuilder()
        .setProtocolVersion(ProtocolVersion.PROTOCOL_VERSION_1)
        .setModelFingerprint(FINGERPRINT)
        .setWorkerId(id)
        .setProcessId(port)
        .setDataPlane(DataPlaneAddress.newBuilder().setHost("127.0.0.1").setPort(port));
    if (lastStep >= 0) {
      b.setLastCompletedStep(lastStep).setParameterSha256(ByteString.copyFrom(SHA));
    }
    return b.build();
  }

  private static StepResult result(StepPlan plan) {
    return StepResult.newBuilder()
        .setStep(plan.getStep())
        .setPlanId(plan.getPlanId())
        .setWorkerId(plan.getWorkerId())
        .setLossSum(2.0 * plan.getMicroBatchesCount())
        .setSampleCount(2 * plan.getMicroBatchesCount())
        .setParameterSha256(ByteString.copyFrom(SHA))
        .build();
  }

  private static RunDriver.ResultOutcome runStep(RunDriver d) {
    RunDriver.Attempt a = d.tryBegin().orElseThrow();
    RunDriver.ResultOutcome last = null;
    for (StepPlan p : a.plans().values()) {
      last = d.onResult(result(p));
    }
    return last;
  }

  private static CheckpointWritten ack(RunDriver.CheckpointAsk ask, String path, String error) {
    return CheckpointWritten.newBuilder()
        .setCheckpointId(ask.request().getCheckpointId())
        .setWorkerId(ask.writer())
        .setStepsDone(ask.request().getStepsDone())
        .setPath(path)
        .setError(error)
        .build();
  }

  @Test
  void checkpointsAreAskedAtTheirBoundaryAndTheRunEndsOnlyWhenTheLastIsWritten() throws IOException {
    RunDriver d = driver(4, ResumePoint.fresh());
    d.enableCheckpoints(new CheckpointPolicy(2, 4), dir.resolve("ck").toString(), 2);
    d.register(registration("w2", 9002, -1));
    d.register(registration("w1", 9001, -1));
    assertEquals(RunDriver.ResultOutcome.COMMITTED, runStep(d));
    assertTrue(d.nextCheckpoint().isEmpty(), "1 step done: none due");
    assertEquals(RunDriver.ResultOutcome.COMMITTED, runStep(d));
    RunDriver.CheckpointAsk ask = d.nextCheckpoint().orElseThrow();
    assertEquals("w1", ask.writer(), "the lowest id");
    CheckpointRequest r = ask.request();
    assertEquals(2, r.getStepsDone());
    assertEquals(0, r.getEpoch());
    assertEquals(8, r.getPositionInEpoch(), "step 2 starts at query 8 of the epoch");
    assertEquals(HexFormat.of().formatHex(SHA), HexFormat.of().formatHex(r.getParameterSha256().toByteArray()));
    assertEquals(2, r.getKeep());
    assertEquals(5, r.getPlan().getSeed());
    assertEquals(4, r.getPlan().getGlobalBatchSize());
    assertEquals(2, r.getPlan().getMicroBatchSize());
    assertEquals("RANDOM", r.getPlan().getStrategy());
    assertFalse(r.getFinal());
    assertEquals(CheckpointSchedule.Result.WRITTEN, d.onCheckpointWritten(ack(ask, "/ck/step-00000002", "")));
    assertEquals(RunDriver.ResultOutcome.COMMITTED, runStep(d));
    RunDriver.ResultOutcome last = runStep(d);
    assertEquals(RunDriver.ResultOutcome.COMMITTED, last, "all steps committed, but the last checkpoint is owed");
    assertTrue(d.finished().isEmpty());
    assertTrue(d.tryBegin().isEmpty());
    assertTrue(d.finished().isEmpty(), "planning nothing does not end the run either");
    RunDriver.CheckpointAsk fin = d.nextCheckpoint().orElseThrow();
    assertTrue(fin.request().getFinal());
    assertEquals(4, fin.request().getStepsDone());
    assertEquals(1, fin.request().getEpoch(), "12 queries, 3 steps per epoch: step 4 is in epoch 1");
    // The writer dies before answering: the other one is asked.
    d.onDeath("w1", "killed");
    RunDriver.CheckpointAsk again = d.nextCheckpoint().orElseThrow();
    assertEquals("w2", again.writer());
    assertEquals(CheckpointSchedule.Result.FINAL_WRITTEN, d.onCheckpointWritten(ack(again, "/ck/step-00000004", "")));
    assertEquals(RunOutcome.RUN_OUTCOME_COMPLETED, d.finished().orElseThrow().getOutcome());
    RunSummary s = d.summary();
    assertEquals("/ck/step-00000004", s.lastCheckpoint());
    assertEquals(List.of("written", "writer-gone", "written"), s.checkpoints().stream().map(o -> o.outcome()).toList());
    var state = RunStateFile.besideAudit(dir.resolve("audit.jsonl")).read().orElseThrow();
    assertEquals(4, state.checkpointStepsDone(), "the run state records the newest checkpoint");
    assertEquals("/ck/step-00000004", state.checkpoint());
  }

  @Test
  void aFailedFinalCheckpointFailsTheRunNamingTheError() throws IOException {
    RunDriver d = driver(1, ResumePoint.fresh());
    d.enableCheckpoints(new CheckpointPolicy(0, 1), "/ck", 1);
    d.register(registration("w1", 9001, -1));
    d.register(registration("w2", 9002, -1));
    runStep(d);
    RunDriver.CheckpointAsk ask = d.nextCheckpoint().orElseThrow();
    d.onCheckpointWritten(ack(ask, "", "cannot write /ck/.tmp-step-00000001: No space left on device"));
    var end = d.finished().orElseThrow();
    assertEquals(RunOutcome.RUN_OUTCOME_FAILED, end.getOutcome());
    assertTrue(end.getDetail().contains("final checkpoint") && end.getDetail().contains("No space left"),
        end.getDetail());
  }

  @Test
  void aResumedRunPlansFromTheCheckpointAndItsWorkersAreSyncedAtOnce() throws IOException {
    String sha = HexFormat.of().formatHex(SHA);
    RunDriver d = driver(4, ResumePoint.fromCheckpoint(2, sha, "/ck/step-00000002"));
    d.enableCheckpoints(new CheckpointPolicy(2, 4), "/ck", 2);
    var a1 = d.register(registration("w1", 9001, 1)).accepted().orElseThrow();
    var a2 = d.register(registration("w2", 9002, 1)).accepted().orElseThrow();
    assertFalse(a1.getStateTransferRequired() || a2.getStateTransferRequired(), "both loaded the checkpoint");
    assertEquals(2, a1.getNextStep());
    RunDriver.Attempt a = d.tryBegin().orElseThrow();
    assertEquals(2, a.step(), "the resumed run plans step 2 first");
    assertTrue(d.nextTransfer().isEmpty());
    // A worker that did not load it needs a transfer.
    assertTrue(d.register(registration("w3", 9003, -1)).accepted().orElseThrow().getStateTransferRequired());
    assertEquals("/ck/step-00000002", d.summary().lastCheckpoint());
  }
}
