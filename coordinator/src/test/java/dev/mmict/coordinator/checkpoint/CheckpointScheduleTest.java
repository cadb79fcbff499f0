package dev.mmict.coordinator.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointScheduleTest {

  private static final List<String> TWO = List.of("worker-2", "worker-1");

  @Test
  void aDueCheckpointIsAskedAtItsBoundaryOfTheLowestIdAndRecorded() {
    CheckpointSchedule s = new CheckpointSchedule(new CheckpointPolicy(2, 5), 0, "");
    s.committed(0);
    assertFalse(s.busy(), "1 step done: not a multiple of 2");
    s.committed(1);
    assertTrue(s.next(1, TWO).isEmpty(), "not at its boundary (2)");
    CheckpointSchedule.Ask ask = s.next(2, TWO).orElseThrow();
    assertEquals("worker-1", ask.writer());
    assertEquals(2, ask.stepsDone());
    assertFalse(ask.isFinal());
    assertTrue(s.next(2, TWO).isEmpty(), "asked once");
    assertEquals(CheckpointSchedule.Result.IGNORED, s.written(ask.id(), "worker-2", "/x", ""), "not its writer");
    assertEquals(CheckpointSchedule.Result.WRITTEN, s.written(ask.id(), "worker-1", "/ck/step-00000002", ""));
    assertEquals(CheckpointSchedule.Result.IGNORED, s.written(ask.id(), "worker-1", "/ck/step-00000002", ""),
        "a duplicate acknowledgement");
    assertEquals(2, s.newestStepsDone());
    assertEquals("/ck/step-00000002", s.newestPath());
    assertFalse(s.finalWritten());
  }

  @Test
  void theFinalCheckpointIsReAskedWhenItsWriterDiesAndEndsTheRunWhenWritten() {
    CheckpointSchedule s = new CheckpointSchedule(new CheckpointPolicy(0, 3), 0, "");
    s.committed(2);
    CheckpointSchedule.Ask first = s.next(3, TWO).orElseThrow();
    assertTrue(first.isFinal());
    assertEquals("worker-1", first.writer());
    assertTrue(s.writerGone("worker-1", "killed"));
    assertFalse(s.writerGone("worker-1", "killed"), "nothing in flight any more");
    // worker-1 is dead, so no longer a candidate; worker-2 is asked.
    CheckpointSchedule.Ask second = s.next(3, List.of("worker-2")).orElseThrow();
    assertEquals("worker-2", second.writer());
    assertEquals(3, second.stepsDone());
    assertEquals(CheckpointSchedule.Result.IGNORED, s.written(first.id(), "worker-1", "/late", ""),
        "the dead writer's late answer");
    assertEquals(CheckpointSchedule.Result.FINAL_WRITTEN, s.written(second.id(), "worker-2", "/ck/step-00000003", ""));
    assertTrue(s.finalWritten());
    assertEquals(List.of("writer-gone", "written"), s.outcomes().stream().map(o -> o.outcome()).toList());
  }

  @Test
  void aWriterThatComesBackIsNotAskedTwiceForTheFinalCheckpoint() {
    CheckpointSchedule s = new CheckpointSchedule(new CheckpointPolicy(0, 3), 0, "");
    s.committed(2);
    s.next(3, List.of("worker-1")).orElseThrow();
    s.writerGone("worker-1", "unreachable");
    assertTrue(s.finalUnwritable(List.of("worker-1")), "the only candidate was asked already");
    assertFalse(s.finalUnwritable(List.of()), "nobody there yet: wait rather than fail");
  }

  @Test
  void failuresAreRecordedAndOnlyTheFinalOneIsFatal() {
    CheckpointSchedule s = new CheckpointSchedule(new CheckpointPolicy(1, 2), 0, "");
    s.committed(0);
    CheckpointSchedule.Ask a = s.next(1, TWO).orElseThrow();
    assertEquals(CheckpointSchedule.Result.FAILED, s.written(a.id(), "worker-1", "", "disk full at /ck"));
    assertFalse(s.busy(), "a failed checkpoint other than the last is not retried");
    s.committed(1);
    CheckpointSchedule.Ask last = s.next(2, TWO).orElseThrow();
    assertEquals(CheckpointSchedule.Result.FINAL_FAILED, s.written(last.id(), "worker-1", "", "disk full at /ck"));
    assertEquals(0, s.newestStepsDone());
  }

  @Test
  void aCheckpointWhoseBoundaryPassedIsReplacedByTheNextCommit() {
    CheckpointSchedule s = new CheckpointSchedule(new CheckpointPolicy(2, 10), 0, "");
    s.committed(1);
    s.next(2, TWO).orElseThrow();
    s.writerGone("worker-1", "left"); // owed again, but step 2 commits before a boundary comes
    assertTrue(s.next(3, TWO).isEmpty(), "the state after 2 steps is gone");
    s.committed(2); // 3 steps done: not a multiple of 2, but the given-up checkpoint is owed now
    CheckpointSchedule.Ask ask = s.next(3, TWO).orElseThrow();
    assertEquals(3, ask.stepsDone());
  }

  @Test
  void aTakeoverAfterTheLastCommitOwesTheFinalCheckpointUnlessItWasWritten() {
    CheckpointSchedule fresh = new CheckpointSchedule(new CheckpointPolicy(2, 4), 2, "/ck/step-00000002");
    fresh.oweFinalIfMissing(3);
    assertFalse(fresh.busy(), "not at the end yet");
    fresh.oweFinalIfMissing(4);
    assertTrue(fresh.next(4, TWO).orElseThrow().isFinal());
    CheckpointSchedule done = new CheckpointSchedule(new CheckpointPolicy(2, 4), 4, "/ck/step-00000004");
    assertTrue(done.finalWritten());
    done.oweFinalIfMissing(4);
    assertFalse(done.busy());
  }
}
