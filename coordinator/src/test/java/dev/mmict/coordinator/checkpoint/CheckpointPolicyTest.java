package dev.mmict.coordinator.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CheckpointPolicyTest {

  private static List<Long> dueSteps(CheckpointPolicy p) {
    List<Long> out = new ArrayList<>();
    for (long s = 0; s < p.steps(); s++) {
      if (p.dueAfter(s)) {
        out.add(s + 1);
      }
    }
    return out;
  }

  @Test
  void everyNStepsAndAlwaysTheLast() {
    // 10 steps, every 4: after 4 and 8 steps done, and after the last (10).
    assertEquals(List.of(4L, 8L, 10L), dueSteps(new CheckpointPolicy(4, 10)));
    // The last step a multiple of every: written once.
    assertEquals(List.of(3L, 6L), dueSteps(new CheckpointPolicy(3, 6)));
    // every 0: only the last.
    assertEquals(List.of(7L), dueSteps(new CheckpointPolicy(0, 7)));
    assertTrue(new CheckpointPolicy(0, 7).isFinal(7));
    assertFalse(new CheckpointPolicy(3, 7).isFinal(6));
  }

  @Test
  void theWriterIsTheLowestIdNotAskedYet() {
    CheckpointPolicy p = new CheckpointPolicy(2, 4);
    assertEquals(Optional.of("worker-1"), p.writer(List.of("worker-3", "worker-1", "worker-2"), Set.of()));
    assertEquals(Optional.of("worker-2"), p.writer(List.of("worker-3", "worker-1", "worker-2"), Set.of("worker-1")));
    assertEquals(Optional.empty(), p.writer(List.of("worker-1"), Set.of("worker-1")));
    assertEquals(Optional.empty(), p.writer(List.of(), Set.of()));
  }

  @Test
  void negativeEveryAndEmptyRunsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new CheckpointPolicy(-1, 5));
    assertThrows(IllegalArgumentException.class, () -> new CheckpointPolicy(1, 0));
  }
}
