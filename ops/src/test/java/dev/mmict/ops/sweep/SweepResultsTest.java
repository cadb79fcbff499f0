package dev.mmict.ops.sweep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.mmict.coordinator.sweep.Objective;
import dev.mmict.coordinator.sweep.SweepState;
import dev.mmict.coordinator.sweep.TrialRecord;
import dev.mmict.coordinator.sweep.TrialStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The result table, the best trial and the bench's stopped share, on hand-made sweep states. */
class SweepResultsTest {

  private static Map<String, Object> params(double lr, long shots) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("trainer.lr", lr);
    p.put("data.shots", shots);
    return p;
  }

  private static TrialRecord trial(int index, Map<String, Object> params, TrialStatus status, long steps,
      Map<Long, Double> rungs, Double last, double seconds, String failure) {
    return new TrialRecord(String.format("trial-%03d", index), index, params, status, steps, new TreeMap<>(rungs),
        last, seconds, null, failure);
  }

  private static SweepState state() {
    return new SweepState("f", List.of(
        trial(0, params(1e-3, 2), TrialStatus.COMPLETED, 4, Map.of(2L, 1.5, 4L, 1.25), 1.25, 12.34, null),
        trial(1, params(3e-4, 0), TrialStatus.STOPPED, 2, Map.of(2L, 1.75), 1.75, 5.0, null),
        trial(2, params(1e-5, 2), TrialStatus.FAILED, 0, Map.of(), null, 3.06, "boom")));
  }

  private static TrialEvent started(String trial) {
    return new TrialEvent(trial, TrialEvent.Kind.STARTED, 0, 2, null, 7, null, null);
  }

  @Test
  void theTableHasAColumnPerKeyAndRungAndMarksTheBest() {
    List<TrialEvent> events = List.of(started("trial-000"), started("trial-001"), started("trial-000"),
        started("trial-002"), started("trial-002"), started("trial-002"),
        new TrialEvent("trial-001", TrialEvent.Kind.STOPPED, 2, 2, 1.75, 0, null, null));
    List<SweepResults.Row> rows = SweepResults.rows(state(), events);
    assertEquals(List.of(2, 1, 3), rows.stream().map(SweepResults.Row::starts).toList());
    String md = SweepResults.markdown(List.of("trainer.lr", "data.shots"), List.of(2L, 4L), "loss", rows,
        Optional.of("trial-000"));
    assertEquals(String.join("\n",
        "| trial | trainer.lr | data.shots | loss @2 | loss @4 | final loss | state | steps | worker-s | starts |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        "| **trial-000** | 0.001 | 2 | 1.5000 | 1.2500 | 1.2500 | completed | 4 | 12.3 | 2 |",
        "| trial-001 | 0.0003 | 0 | 1.7500 | - | 1.7500 | stopped | 2 | 5.0 | 1 |",
        "| trial-002 | 1e-05 | 2 | - | - | - | failed | 0 | 3.1 | 3 |",
        "",
        "best: trial-000 (loss 1.2500 at step 4), its config in best-config.yaml",
        "trial-002 failed: boom",
        ""), md);
  }

  @Test
  void theBestIsACompletedTrialEvenIfAStoppedOneReportedBetterEarlier() {
    // trial-001 was stopped at step 2 with 0.9, better than trial-000's completed 1.25 (min), but
    // compared at another step; the best is the best completed trial.
    SweepState s = new SweepState("f", List.of(
        trial(0, params(1e-3, 2), TrialStatus.COMPLETED, 4, Map.of(2L, 1.5, 4L, 1.25), 1.25, 1, null),
        trial(1, params(3e-4, 0), TrialStatus.STOPPED, 2, Map.of(2L, 0.9), 0.9, 1, null),
        trial(2, params(1e-4, 0), TrialStatus.COMPLETED, 4, Map.of(2L, 1.6, 4L, 1.3), 1.3, 1, null)));
    Objective min = new Objective("loss", Objective.Mode.MIN);
    assertEquals("trial-000", SweepResults.best(s, min).orElseThrow().id());
    assertEquals("trial-002", SweepResults.best(s, new Objective("loss", Objective.Mode.MAX)).orElseThrow().id());
    // With nothing completed yet, the best of what reported.
    SweepState none = new SweepState("f", List.of(s.trials().get(1), s.trials().get(0).withStatus(TrialStatus.RUNNING)));
    assertEquals("trial-001", SweepResults.best(none, min).orElseThrow().id());
  }

  @Test
  void aTrialsPointsAreItsRungResultsThenAFinalStepThatIsNoRung() {
    SweepResults.Row atRungs = SweepResults.rows(state(), List.of()).get(0);
    List<double[]> p = SweepResults.points(atRungs);
    assertEquals(2, p.size(), "the final result at step 4 is the rung-4 result");
    assertArrayEquals(new double[] {2, 1.5}, p.get(0));
    assertArrayEquals(new double[] {4, 1.25}, p.get(1));
    SweepResults.Row offRung = new SweepResults.Row("t", 0, Map.of(), new TreeMap<>(Map.of(4L, 2.0, 8L, 1.0)), 0.5,
        TrialStatus.COMPLETED, 12, 1, 3, null);
    assertArrayEquals(new double[] {12, 0.5}, SweepResults.points(offRung).get(2));
  }

  @Test
  void theStoppedShareIsTheStoppedTrialsWorkerSecondsOverAll() {
    // 5.0 of 12.34 + 5.0 + 3.06 = 20.4 worker-seconds went to the stopped trial.
    assertEquals(5.0 / 20.4, SweepBenchmark.stoppedShare(state()), 1e-12);
    assertEquals(0.0, SweepBenchmark.stoppedShare(new SweepState("f", List.of())));
  }

  @Test
  void numbersAreFourDecimalsNanOrADash() {
    assertEquals("0.1235", SweepResults.number(0.12345));
    assertEquals("nan", SweepResults.number(Double.NaN));
    assertEquals("-", SweepResults.number(null));
  }
}
