package dev.mmict.coordinator.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SweepPlannerTest {

  private static SweepState sixTrials() {
    SearchSpace space = new SearchSpace(List.of(new Parameter.Uniform("trainer.lr", 1e-4, 1e-3)));
    return SweepState.fresh("fp", new TrialSampler(space, 1).trials(6));
  }

  private static SweepState set(SweepState state, String id, TrialStatus status) {
    return state.with(state.trial(id).withStatus(status));
  }

  @Test
  void startsUpToParallelTrialsWithFullThenPartialGroups() {
    SweepPlan plan = new SweepPlanner(2, 2).plan(sixTrials(), Map.of(), List.of("w3", "w1", "w2"));
    assertEquals(Map.of("trial-000", List.of("w1", "w2"), "trial-001", List.of("w3")), plan.starts());
    assertEquals(List.of(), plan.idle());
    assertEquals(plan.starts(), plan.assignments());

    SweepPlan more = new SweepPlanner(2, 2).plan(sixTrials(), Map.of(), List.of("a", "b", "c", "d", "e"));
    assertEquals(Map.of("trial-000", List.of("a", "b"), "trial-001", List.of("c", "d")), more.starts());
    assertEquals(List.of("e"), more.idle(), "no third trial beyond parallel=2");
  }

  @Test
  void workersOfFinishedTrialsGoToTheNextTrial() {
    SweepState state = set(set(sixTrials(), "trial-000", TrialStatus.STOPPED), "trial-001", TrialStatus.RUNNING);
    Map<String, List<String>> before = Map.of("trial-000", List.of("w1", "w2"), "trial-001", List.of("w3"));
    SweepPlan plan = new SweepPlanner(2, 2).plan(state, before, List.of("w1", "w2", "w3"));
    assertEquals(List.of("w1", "w2"), plan.released());
    assertEquals(Map.of("trial-002", List.of("w1", "w2")), plan.starts());
    assertEquals(Map.of(), plan.grows());
    assertEquals(Map.of("trial-001", List.of("w3"), "trial-002", List.of("w1", "w2")), plan.assignments());
  }

  @Test
  void leftoverWorkersTopUpShortGroupsAndDeadWorkersAreDropped() {
    SweepState state = set(set(sixTrials(), "trial-000", TrialStatus.RUNNING), "trial-001", TrialStatus.RUNNING);
    Map<String, List<String>> before = Map.of("trial-000", List.of("w1", "w2"), "trial-001", List.of("w3", "w4"));
    // w2 died; w5 joined. Two trials already run (parallel 2), so w5 refills trial-000.
    SweepPlan plan = new SweepPlanner(2, 2).plan(state, before, List.of("w1", "w3", "w4", "w5"));
    assertEquals(Map.of(), plan.starts());
    assertEquals(Map.of("trial-000", List.of("w5")), plan.grows());
    assertEquals(Map.of("trial-000", List.of("w1", "w5"), "trial-001", List.of("w3", "w4")), plan.assignments());
    assertEquals(List.of(), plan.released());
    assertEquals(List.of(), plan.idle());
  }

  @Test
  void resumingTrialsStartFirstAndFinishedOnesNever() {
    SweepState state = sixTrials();
    state = set(state, "trial-000", TrialStatus.COMPLETED);
    state = set(state, "trial-001", TrialStatus.FAILED);
    state = state.with(state.trial("trial-004").withCheckpoint("ckpt/4", 8));
    SweepPlan plan = new SweepPlanner(3, 1).plan(state, Map.of(), List.of("a", "b", "c"));
    assertEquals(List.of("trial-004", "trial-002", "trial-003"), List.copyOf(plan.starts().keySet()));
    assertEquals(List.of("a"), plan.starts().get("trial-004"));
  }

  @Test
  void nothingToStartLeavesWorkersIdle() {
    SweepState state = sixTrials();
    for (TrialRecord t : state.trials()) {
      state = set(state, t.id(), TrialStatus.COMPLETED);
    }
    SweepPlan plan = new SweepPlanner(2, 2).plan(state, Map.of("trial-005", List.of("x")), List.of("x", "y"));
    assertEquals(Map.of(), plan.starts());
    assertEquals(List.of("x"), plan.released());
    assertEquals(List.of("x", "y"), plan.idle());
  }

  @Test
  void rejectsInconsistentInput() {
    SweepState state = set(set(sixTrials(), "trial-000", TrialStatus.RUNNING), "trial-001", TrialStatus.RUNNING);
    assertThrows(IllegalArgumentException.class, () -> new SweepPlanner(2, 1)
        .plan(state, Map.of("trial-000", List.of("w"), "trial-001", List.of("w")), List.of("w")));
    assertThrows(IllegalArgumentException.class, () -> new SweepPlanner(0, 1));
    assertThrows(IllegalArgumentException.class, () -> new SweepPlanner(1, 0));
    assertThrows(IllegalArgumentException.class,
        () -> new SweepPlanner(1, 1).plan(state, Map.of("trial-077", List.of("w")), List.of("w")));
  }
}
