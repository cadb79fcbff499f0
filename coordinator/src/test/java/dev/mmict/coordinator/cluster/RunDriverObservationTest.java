package dev.mmict.coordinator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.mmict.coordinator.audit.SampleAudit;
import dev.mmict.coordinator.membership.Membership;
import dev.mmict.coordinator.plan.RunPlan;
import dev.mmict.coordinator.plan.StepPlanner;
import dev.mmict.protocol.v1.DataPlaneAddress;
import dev.mmict.protocol.v1.MemberStatus;
import dev.mmict.protocol.v1.ProtocolVersion;
import dev.mmict.protocol.v1.RegisterWorker;
import dev.mmict.protocol.v1.StatusReply;
import dev.mmict.protocol.v1.StepPlan;
import dev.mmict.protocol.v1.StepResult;
import dev.mmict.protocol.v1.WorkerState;
import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.DemoSampler.Strategy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the driver tells its listener and puts in its status: step times, throughput, per-member progress. */
class RunDriverObservationTest {

  private static final String FINGERPRINT = "ab".repeat(32);


  /** A clock the test moves by hand. */
  private static final class ManualClock extends Clock {
    Instant now = Instant.parse("2024-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(java.time.ZoneId zone) { throw new UnsupportedOperationException(); }
    @Override public Instant instant() { return now; }
  }

  /** Records every call as one line. */
  private static final class Recorder implements RunListener {
    final List<String> calls = new ArrayList<>();

    @Override public void attemptBegun(long step, int participants, int live) {
      calls.add("begun " + step + " over " + participants + " live " + live);
    }

    @Override public void stepCommitted(long step, double loss, long samples, Duration wallTime, int live) {
      calls.add("committed " + step + " loss " + loss + " samples " + samples + " in " + wallTime.toMillis()
          + " ms live " + live);
    }

    @Override public void attemptAborted(long step, String reason, int live) {
      calls.add("aborted " + step + " " + reason + " live " + live);
    }

    @Override public void workerDied(String id, int live) {
      calls.add("died " + id + " live " + live);
    }
  }

  @TempDir
  Path dir;

  private SampleAudit audit;
  private final ManualClock clock = new ManualClock();
  private final Recorder recorder = new Recorder();

  private RunDriver driver() throws IOException {
    audit = SampleAudit.open(dir.resolve("audit.jsonl"));
    StepPlanner planner = StepPlanner.forSplit(new IndexDataset(12), Dataset.TRAIN, new RunPlan(5, 4, 2, 1, Strategy.RANDOM));
    return new RunDriver(planner, new RunSettings("t", 5, FINGERPRINT, s -> 0.001, 2, 3), audit,
        new Membership(clock), recorder, clock);
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

  /** A result with loss 1.5 per query, 2 queries per micro-batch, computed in {@code computeMillis}. */
  private static StepResult result(StepPlan plan, long computeMillis) {
    return StepResult.newBuilder()
        .setStep(plan.getStep())
        .setPlanId(plan.getPlanId())
        .setWorkerId(plan.getWorkerId())
        .setLossSum(3.0 * plan.getMicroBatchesCount())
        .setSampleCount(2 * plan.getMicroBatchesCount())
        .setParameterSha256(ByteString.copyFrom(new byte[] {7, 1, 2, 3}))
        .setComputeMillis(computeMillis)
        .build();
  }

  @Test
  void commitsAbortsAndDeathsReachTheListenerWithStepTimesAndLiveWorkers() throws IOException {
    RunDriver d = driver();
    d.register(registration("w1", 9001));
    d.register(registration("w2", 9002));
    RunDriver.Attempt a = d.tryBegin().orElseThrow();
    clock.advance(Duration.ofMillis(1500));
    d.onResult(result(a.plans().get("w1"), 500));
    d.onResult(result(a.plans().get("w2"), 250));
    RunDriver.Attempt b = d.tryBegin().orElseThrow();
    d.onDeath("w2", "unreachable");
    d.onDeath("w2", "removed"); // the same death seen twice is one death
    RunDriver.Attempt retry = d.tryBegin().orElseThrow();
    clock.advance(Duration.ofMillis(2000));
    d.onResult(result(retry.plans().get("w1"), 1000));
    assertEquals(1, b.step());
    assertEquals(List.of(
        "begun 0 over 2 live 2",
        "committed 0 loss 1.5 samples 4 in 1500 ms live 2",
        "begun 1 over 2 live 2",
        "died w2 live 1",
        "aborted 1 ABORT_REASON_PEER_DIED live 1",
        "begun 1 over 1 live 1",
        "committed 1 loss 1.5 samples 4 in 2000 ms live 1"), recorder.calls);
  }

  @Test
  void theStatusCarriesThroughputAndEachMembersLastStepAndComputeSpeed() throws IOException {
    RunDriver d = driver();
    d.register(registration("w1", 9001));
    d.register(registration("w2", 9002));
    StatusReply before = d.status(0);
    assertEquals(0, before.getSamplesPerSecond());
    assertTrue(Double.isNaN(before.getLastLoss()));
    assertFalse(before.getMembers(0).hasLastCompletedStep());

    RunDriver.Attempt a = d.tryBegin().orElseThrow();
    clock.advance(Duration.ofSeconds(2));
    d.onResult(result(a.plans().get("w1"), 500));
    d.onResult(result(a.plans().get("w2"), 250));
    StatusReply after = d.status(0);
    assertEquals(1, after.getStep());
    assertEquals(1.5, after.getLastLoss(), 1e-12);
    assertEquals(4 / 2.0, after.getSamplesPerSecond(), 1e-9, "4 queries in the 2 s since the first plan");
    MemberStatus w1 = after.getMembers(0);
    MemberStatus w2 = after.getMembers(1);
    assertEquals("w1", w1.getWorkerId());
    assertEquals(WorkerState.WORKER_STATE_ACTIVE, w1.getState());
    assertEquals(0, w1.getLastCompletedStep());
    assertEquals(2 / 0.5, w1.getSamplesPerSecond(), 1e-9, "2 queries in 500 ms of compute");
    assertEquals(2 / 0.25, w2.getSamplesPerSecond(), 1e-9);
  }
}
