package dev.mmict.coordinator.sweep;

import static dev.mmict.coordinator.sweep.AshaScheduler.Decision.CONTINUE;
import static dev.mmict.coordinator.sweep.AshaScheduler.Decision.STOP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.coordinator.sweep.AshaScheduler.Decision;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * ASHA decisions on hand-computed cases. The worked example (also in docs/sweeps.md): 8 trials,
 * maxT 16, grace 1, reduction factor 4, so rungs 1, 4, 16 and the cutoff is the 75th percentile
 * (linear interpolation) of the results recorded earlier at the rung.
 */
class AshaSchedulerTest {

  private static final AshaSettings EXAMPLE = new AshaSettings(16, 1, 4);

  @Test
  void rungsAreGraceTimesPowersOfTheFactorUpToMaxT() {
    assertEquals(List.of(1L, 4L, 16L, 64L), AshaSettings.defaults().rungs());
    assertEquals(List.of(1L, 4L, 16L), EXAMPLE.rungs());
    assertEquals(List.of(2L, 6L), new AshaSettings(10, 2, 3).rungs());
    assertEquals(List.of(1L, 4L, 16L, 64L), new AshaSettings(64, 1, 4).rungs(), "a rung equal to maxT is kept");
    assertEquals(List.of(5L), new AshaSettings(5, 5, 2).rungs());
  }

  @Test
  void settingsRejectNonsense() {
    assertThrows(IllegalArgumentException.class, () -> new AshaSettings(0, 1, 4));
    assertThrows(IllegalArgumentException.class, () -> new AshaSettings(10, 0, 4));
    assertThrows(IllegalArgumentException.class, () -> new AshaSettings(10, 11, 4));
    assertThrows(IllegalArgumentException.class, () -> new AshaSettings(10, 1, 1));
  }

  @Test
  void workedExampleEightTrialsMaximised() {
    AshaScheduler asha = new AshaScheduler(EXAMPLE, Objective.Mode.MAX);
    // Rung 1. Cutoff = 75th percentile of earlier results at the rung.
    assertEquals(CONTINUE, asha.onResult("t0", 1, 50)); // nothing earlier: no cutoff
    assertEquals(OptionalDouble.of(50), asha.cutoff(1));
    assertEquals(STOP, asha.onResult("t1", 1, 40)); // [50] -> 50
    assertEquals(OptionalDouble.of(47.5), asha.cutoff(1)); // [40,50]: 40 + .75*10
    assertEquals(CONTINUE, asha.onResult("t2", 1, 70));
    assertEquals(OptionalDouble.of(60), asha.cutoff(1)); // [40,50,70]: pos 1.5 -> 50 + .5*20
    assertEquals(CONTINUE, asha.onResult("t3", 1, 60), "equal to the cutoff continues");
    assertEquals(OptionalDouble.of(62.5), asha.cutoff(1)); // [40,50,60,70]: pos 2.25
    assertEquals(STOP, asha.onResult("t4", 1, 55));
    assertEquals(OptionalDouble.of(60), asha.cutoff(1)); // [40,50,55,60,70]: pos 3
    assertEquals(CONTINUE, asha.onResult("t5", 1, 90));
    assertEquals(OptionalDouble.of(67.5), asha.cutoff(1)); // [40,50,55,60,70,90]: pos 3.75
    assertEquals(STOP, asha.onResult("t6", 1, 65));
    assertEquals(OptionalDouble.of(67.5), asha.cutoff(1)); // [40,50,55,60,65,70,90]: pos 4.5
    assertEquals(CONTINUE, asha.onResult("t7", 1, 80));

    // Between rungs nothing is judged or recorded.
    assertEquals(CONTINUE, asha.onResult("t0", 2, 1));
    assertEquals(CONTINUE, asha.onResult("t0", 3, 1));
    assertTrue(asha.recorded(4).isEmpty());

    // Rung 4: the five survivors arrive as t5, t2, t7, t0, t3.
    assertEquals(CONTINUE, asha.onResult("t5", 4, 85));
    assertEquals(STOP, asha.onResult("t2", 4, 72)); // [85] -> 85
    assertEquals(CONTINUE, asha.onResult("t7", 4, 88)); // [72,85] -> 81.75
    assertEquals(STOP, asha.onResult("t0", 4, 60)); // [72,85,88] -> 86.5
    assertEquals(OptionalDouble.of(85.75), asha.cutoff(4)); // [60,72,85,88] -> 85 + .25*3
    assertEquals(CONTINUE, asha.onResult("t3", 4, 95));

    // Rung 16 = maxT: the three survivors complete, whatever their result.
    assertEquals(STOP, asha.onResult("t5", 16, 90));
    assertEquals(STOP, asha.onResult("t3", 16, 99));
    assertEquals(STOP, asha.onResult("t7", 16, 10));
    assertTrue(asha.completes(16));
    assertFalse(asha.completes(15));
    assertEquals(Map.of("t5", 90.0, "t3", 99.0, "t7", 10.0), asha.recorded(16));
    assertEquals(List.of("t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7"),
        asha.recorded(1).keySet().stream().sorted().toList());
  }

  @Test
  void minimisedMetricsAreJudgedOnTheirNegation() {
    AshaScheduler asha = new AshaScheduler(EXAMPLE, Objective.Mode.MIN);
    double[] losses = {-50, -40, -70, -60, -55, -90, -65, -80};
    Decision[] expected = {CONTINUE, STOP, CONTINUE, CONTINUE, STOP, CONTINUE, STOP, CONTINUE};
    for (int i = 0; i < losses.length; i++) {
      assertEquals(expected[i], asha.onResult("t" + i, 1, losses[i]), "trial " + i);
    }
    // All eight scores [40,50,55,60,65,70,80,90]: pos 5.25 -> 70 + .25*10 = 72.5, a loss of -72.5.
    assertEquals(OptionalDouble.of(-72.5), asha.cutoff(1));
    assertEquals(-80.0, asha.recorded(1).get("t7"));

    AshaScheduler simple = new AshaScheduler(new AshaSettings(10, 1, 2), Objective.Mode.MIN);
    assertEquals(CONTINUE, simple.onResult("a", 1, 0.5));
    assertEquals(STOP, simple.onResult("b", 1, 0.7), "a higher loss than the median of [0.5]");
    assertEquals(CONTINUE, simple.onResult("c", 1, 0.4));
  }

  @Test
  void aTrialIsJudgedOncePerRungAtTheHighestRungItReached() {
    AshaScheduler asha = new AshaScheduler(EXAMPLE, Objective.Mode.MAX);
    assertEquals(CONTINUE, asha.onResult("a", 1, 10));
    assertEquals(CONTINUE, asha.onResult("b", 1, 20));
    assertEquals(CONTINUE, asha.onResult("a", 1, 0), "a second report at the same rung is not judged again");
    assertEquals(10.0, asha.recorded(1).get("a"));
    // c jumps straight to step 5: judged at rung 4 only (nothing there yet), not at rung 1.
    assertEquals(CONTINUE, asha.onResult("c", 5, 1));
    assertFalse(asha.recorded(1).containsKey("c"));
    assertEquals(1.0, asha.recorded(4).get("c"));
    assertEquals(CONTINUE, asha.onResult("c", 6, -100), "rung 4 already judged; rung 1 is not revisited");
  }

  @Test
  void beforeTheGracePeriodNothingStops() {
    AshaScheduler asha = new AshaScheduler(new AshaSettings(100, 3, 3), Objective.Mode.MAX);
    assertEquals(List.of(3L, 9L, 27L, 81L), asha.rungs());
    asha.onResult("a", 3, 100);
    assertEquals(CONTINUE, asha.onResult("b", 1, 0));
    assertEquals(CONTINUE, asha.onResult("b", 2, 0));
    assertEquals(STOP, asha.onResult("b", 3, 0));
  }

  @Test
  void stoppedTrialsStayStoppedAndNanStopsWithoutMovingTheCutoff() {
    AshaScheduler asha = new AshaScheduler(EXAMPLE, Objective.Mode.MAX);
    asha.onResult("a", 1, 10);
    assertEquals(STOP, asha.onResult("b", 1, 5));
    assertEquals(STOP, asha.onResult("b", 4, 1000), "a stopped trial's later results change nothing");
    assertTrue(asha.recorded(4).isEmpty());
    assertEquals(STOP, asha.onResult("n", 1, Double.NaN), "a NaN result stops the trial");
    // [5, 10] and the NaN ignored: 5 + .75*5.
    assertEquals(OptionalDouble.of(8.75), asha.cutoff(1));
    assertEquals(STOP, asha.onResult("late", 20, 1), "past maxT");
    assertThrows(IllegalArgumentException.class, () -> asha.onResult("x", -1, 0));
    assertThrows(IllegalArgumentException.class, () -> asha.cutoff(2));
  }

  @Test
  void restoredResultsGiveTheSameLaterDecisions() {
    AshaScheduler live = new AshaScheduler(EXAMPLE, Objective.Mode.MAX);
    live.onResult("a", 1, 50);
    live.onResult("b", 1, 40);
    live.onResult("c", 1, 70);
    AshaScheduler rebuilt = new AshaScheduler(EXAMPLE, Objective.Mode.MAX);
    rebuilt.restore("a", 1, 50, false);
    rebuilt.restore("b", 1, 40, true);
    rebuilt.restore("c", 1, 70, false);
    assertEquals(live.cutoff(1), rebuilt.cutoff(1));
    assertEquals(live.onResult("d", 1, 60), rebuilt.onResult("d", 1, 60));
    assertEquals(STOP, rebuilt.onResult("b", 4, 99), "b was stopped before the restart");
    assertThrows(IllegalArgumentException.class, () -> rebuilt.restore("z", 3, 1, false));
  }
}
