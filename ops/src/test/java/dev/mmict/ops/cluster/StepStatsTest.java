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

  @Test
  void intervalsLessTheWaitsForTheTurn() {
    // Ends 10, 30, 35, 60, 100; after step 2 the side waited 20 of the 25 until step 3 ended.
    List<Long> ends = List.of(10L, 30L, 35L, 60L, 100L);
    assertEquals(List.of(5L, 5L, 40L), StepStats.intervals(ends, List.of(0L, 0L, 20L, 0L, 0L), 2));
    assertEquals(List.of(5L, 25L, 40L), StepStats.intervals(ends, List.of(0L, 0L, 0L, 0L, 0L), 2));
    assertThrows(IllegalArgumentException.class, () -> StepStats.intervals(ends, List.of(0L, 0L, 26L, 0L, 0L), 2),
        "a wait longer than its interval");
    assertThrows(IllegalArgumentException.class, () -> StepStats.intervals(ends, List.of(0L, 0L), 2));
  }

  @Test
  void interleavedRoundsPairTheSidesWithTheTwoWorkerClusterLast() {
    assertEquals(List.of(Side.SINGLE, Side.CLUSTER1, Side.SINGLE, Side.CLUSTER1), StepStats.interleavedOrder(2, false));
    assertEquals(List.of(Side.SINGLE, Side.CLUSTER1, Side.CLUSTER2), StepStats.interleavedOrder(1, true));
    assertThrows(IllegalArgumentException.class, () -> StepStats.interleavedOrder(0, false));
  }

  @Test
  void blockRatiosCompareEachClusterBlockWithTheSingleBlockBeforeIt() {
    // 1 warm-up step, 5 timed steps, blocks of 2: [1, 2], [3, 4], [5].
    List<Long> none = List.of(0L, 0L, 0L, 0L, 0L, 0L);
    ScalingTrace single = trace("single", List.of(0L, 10L, 20L, 30L, 40L, 50L), none);
    // The cluster's steps take 12, 14 | 20, 20 | 30, with a wait of 100 after step 2 (its turn came late).
    ScalingTrace cluster = trace("cluster", List.of(0L, 12L, 26L, 146L, 166L, 196L), List.of(0L, 0L, 100L, 0L, 0L, 0L));
    List<Double> r = StepStats.blockRatios(List.of(single), List.of(cluster), 1, 2);
    assertEquals(3, r.size());
    assertEquals(13.0 / 10, r.get(0), 1e-12);
    assertEquals(20.0 / 10, r.get(1), 1e-12);
    assertEquals(30.0 / 10, r.get(2), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> StepStats.blockRatios(List.of(single), List.of(), 1, 2));
  }

  private static ScalingTrace trace(String side, List<Long> ends, List<Long> waits) {
    List<Long> zeros = ends.stream().map(e -> 0L).toList();
    return new ScalingTrace(side, side.equals("single") ? 0 : 1, ends, zeros, List.of(), List.of(),
        ends.stream().map(e -> 1.0).toList(), waits);
  }
}
