package dev.mmict.ops.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mmict.ops.cluster.StepStats.Side;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepStatsTest {

  @Test
  void intervalsStartAtTheEndOfTheLastWarmUpStep() {
    // Step ends at 10, 30, 35, 60, 100: with 2 warm-up steps the timed steps are 2, 3 and 4.
    assertEquals(List.of(5L, 25L, 40L), StepStats.intervals(List.of(10L, 30L, 35L, 60L, 100L), 2));
    assertEquals(List.of(20L, 5L, 25L, 40L), StepStats.intervals(List.of(10L, 30L, 35L, 60L, 100L), 1));
  }

  @Test
  void intervalsRefuseTooFewOrUnknownReadings() {
    assertThrows(IllegalArgumentException.class, () -> StepStats.intervals(List.of(1L, 2L), 2));
    assertThrows(IllegalArgumentException.class, () -> StepStats.intervals(List.of(1L, -1L, 3L), 1));
    assertThrows(IllegalArgumentException.class, () -> StepStats.intervals(List.of(1L, 2L, 3L), 0));
  }

  @Test
  void medianAndMean() {
    assertEquals(3.0, StepStats.median(List.of(9L, 1L, 3L)));
    assertEquals(2.5, StepStats.median(List.of(4.0, 1.0, 2.0, 3.0)));
    assertEquals(10.0, StepStats.median(List.of(10L)));
    assertEquals(13.0 / 3, StepStats.mean(List.of(9L, 1L, 3L)), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> StepStats.median(List.of()));
    assertThrows(IllegalArgumentException.class, () -> StepStats.mean(List.of()));
  }

  @Test
  void passesAlternateMirroredEveryOtherRoundWithTheTwoWorkerClusterLast() {
    assertEquals(List.of(Side.SINGLE, Side.CLUSTER1), StepStats.order(1, false));
    assertEquals(List.of(Side.SINGLE, Side.CLUSTER1, Side.CLUSTER1, Side.SINGLE), StepStats.order(2, false));
    assertEquals(List.of(Side.SINGLE, Side.CLUSTER1, Side.CLUSTER1, Side.SINGLE, Side.SINGLE, Side.CLUSTER1,
        Side.CLUSTER2), StepStats.order(3, true));
    assertThrows(IllegalArgumentException.class, () -> StepStats.order(0, false));
  }
}
