package dev.mmict.coordinator.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The resume point a standby rebuilds from the run state and the audit's last committed step. */
class RecoveryTest {

  private static final String FP = "ab".repeat(32);
  private static final String WHERE = "audit a.jsonl, run state a.jsonl.state.json";

  private static RunState state(long incarnation, long step, String sha, List<Double> losses) {
    return new RunState(RunState.FORMAT, "run-1", FP, incarnation, step, sha, 2, losses, RunState.RUNNING, "");
  }

  @Test
  void stateAndAuditAtTheSameStepResumeAfterItWithTheRecordedChecksum() {
    ResumePoint p = Recovery.takeOver("run-1", FP, Optional.of(state(0, 3, "cafe", List.of(4.0, 3.0, 2.0, 1.0))),
        OptionalLong.of(3), WHERE);
    assertEquals(new ResumePoint(1, 4, "cafe", 2, List.of(4.0, 3.0, 2.0, 1.0), RunState.RUNNING, ""), p);
    assertTrue(p.isTakeover());
  }

  @Test
  void aSecondTakeoverIsTheNextIncarnation() {
    assertEquals(3, Recovery.takeOver("run-1", FP, Optional.of(state(2, 0, "cafe", List.of(1.0))),
        OptionalLong.of(0), WHERE).incarnation());
  }

  @Test
  void aStateOneStepBehindTheAuditLeavesTheChecksumOfTheLastStepToTheWorkers() {
    ResumePoint p = Recovery.takeOver("run-1", FP, Optional.of(state(0, 2, "cafe", List.of(3.0, 2.0, 1.0))),
        OptionalLong.of(3), WHERE);
    assertEquals(4, p.nextStep());
    assertEquals("", p.parametersSha256(), "the checksum after step 3 was never recorded");
    assertEquals(4, p.losses().size());
    assertTrue(Double.isNaN(p.losses().get(3)));
  }

  @Test
  void nothingWrittenYetStartsTheRunFromStepZero() {
    assertEquals(new ResumePoint(1, 0, "", 0, List.of(), RunState.RUNNING, ""),
        Recovery.takeOver("run-1", FP, Optional.empty(), OptionalLong.empty(), WHERE));
    assertEquals(0, Recovery.takeOver("run-1", FP, Optional.of(state(0, -1, "", List.of())), OptionalLong.empty(),
        WHERE).nextStep());
  }

  @Test
  void anEndedRunStaysEnded() {
    RunState done = new RunState(RunState.FORMAT, "run-1", FP, 0, 7, "cafe", 0, List.of(1.0), RunState.COMPLETED,
        "all 8 steps committed");
    ResumePoint p = Recovery.takeOver("run-1", FP, Optional.of(done), OptionalLong.of(7), WHERE);
    assertEquals(RunState.COMPLETED, p.outcome());
    assertEquals("all 8 steps committed", p.detail());
    assertEquals(8, p.nextStep());
  }

  @Test
  void recordsThatDoNotFitAreRefusedNamingBothFiles() {
    String ahead = assertThrows(RecoveryException.class, () -> Recovery.takeOver("run-1", FP,
        Optional.of(state(0, 5, "cafe", List.of())), OptionalLong.of(3), WHERE)).getMessage();
    assertTrue(ahead.contains("is 3") && ahead.contains("is 5") && ahead.contains(WHERE), ahead);
    String behind = assertThrows(RecoveryException.class, () -> Recovery.takeOver("run-1", FP,
        Optional.of(state(0, 1, "cafe", List.of())), OptionalLong.of(3), WHERE)).getMessage();
    assertTrue(behind.contains("at most one step behind"), behind);
    String otherRun = assertThrows(RecoveryException.class, () -> Recovery.takeOver("run-2", FP,
        Optional.of(state(0, 3, "cafe", List.of())), OptionalLong.of(3), WHERE)).getMessage();
    assertTrue(otherRun.contains("'run-1'") && otherRun.contains("'run-2'"), otherRun);
    String otherModel = assertThrows(RecoveryException.class, () -> Recovery.takeOver("run-1", "cd".repeat(32),
        Optional.of(state(0, 3, "cafe", List.of())), OptionalLong.of(3), WHERE)).getMessage();
    assertTrue(otherModel.contains("abababababab") && otherModel.contains("cdcdcdcdcdcd"), otherModel);
    String noState = assertThrows(RecoveryException.class, () -> Recovery.takeOver("run-1", FP, Optional.empty(),
        OptionalLong.of(0), WHERE)).getMessage();
    assertTrue(noState.contains("no run state"), noState);
  }
}
