package dev.mmict.ops.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.coordinator.sweep.AshaSettings;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Where a trial process trains to next, on hand-worked rung lists. */
class SweepRungPlanTest {

  @Test
  void ashaTrialsStopAtEveryRungThenAtMaxT() {
    // maxT 16, grace 4, factor 2: rungs 4, 8, 16; a trial trains 0 -> 4 -> 8 -> 16.
    RungPlan plan = RungPlan.of(Optional.of(new AshaSettings(16, 4, 2)), 16);
    assertEquals(List.of(4L, 8L, 16L), plan.rungs());
    assertEquals(4, plan.nextTarget(0));
    assertEquals(8, plan.nextTarget(4));
    assertEquals(16, plan.nextTarget(8));
    // A trial resumed at a step between rungs (its state says 5) goes on to the next rung.
    assertEquals(8, plan.nextTarget(5));
    assertEquals(16L, plan.rungAt(16));
    assertTrue(plan.isLast(16));
    assertFalse(plan.isLast(8));
    assertThrows(IllegalArgumentException.class, () -> plan.nextTarget(16));
  }

  @Test
  void aMaxTThatIsNoRungIsStillTheLastStop() {
    // maxT 12, grace 4, factor 2: rungs 4, 8 (16 > 12); the last stretch is 8 -> 12, not a rung.
    RungPlan plan = RungPlan.of(Optional.of(new AshaSettings(12, 4, 2)), 12);
    assertEquals(List.of(4L, 8L), plan.rungs());
    assertEquals(12, plan.nextTarget(8));
    assertNull(plan.rungAt(12));
    assertEquals(8L, plan.rungAt(8));
    assertTrue(plan.isLast(12));
  }

  @Test
  void withoutASchedulerATrialRunsToItsLastStepInOneGo() {
    RungPlan plan = RungPlan.of(Optional.empty(), 30);
    assertEquals(List.of(), plan.rungs());
    assertEquals(30, plan.nextTarget(0));
    assertEquals(30, plan.nextTarget(17), "a restarted trial still trains to the end");
    assertNull(plan.rungAt(30));
  }

  @Test
  void rungsMustAscendWithinTheRun() {
    assertThrows(IllegalArgumentException.class, () -> new RungPlan(List.of(4L, 2L), 8));
    assertThrows(IllegalArgumentException.class, () -> new RungPlan(List.of(4L, 16L), 8));
    assertThrows(IllegalArgumentException.class, () -> new RungPlan(List.of(), 0));
  }
}
