package dev.mmict.coordinator.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.DemoSampler.Strategy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StepPlannerTest {

  private static final RunPlan PLAN = new RunPlan(7, 8, 2, 3, Strategy.RANDOM);

  private static StepPlanner planner(int size, RunPlan plan) {
    return StepPlanner.forSplit(IndexDataset.of(size), Dataset.TRAIN, plan);
  }

  @Test
  void stepsNeverStraddleEpochsAndTheLastStepIsShort() {
    // 21 samples, B = 8: steps of 8, 8, 5 per epoch; m = 2 cuts the 5 into 2, 2, 1.
    StepPlanner p = planner(21, PLAN);
    assertEquals(3, p.stepsPerEpoch());
    assertEquals(List.of(2, 2, 2, 2), sizes(p.plan(0)));
    assertEquals(List.of(2, 2, 1), sizes(p.plan(2)));
    assertEquals(0, p.plan(2).epoch());
    assertEquals(1, p.plan(3).epoch());
    assertEquals(new DataCursor(0, 16), p.cursorBefore(2));
    assertEquals(new DataCursor(1, 0), p.cursorAfter(2));
    assertEquals(new DataCursor(2, 8), p.cursorBefore(7));
  }

  @Test
  void everyQueryableSampleOncePerEpochOverManySteps() {
    Set<Integer> demoOnly = Set.of(0, 5, 6, 30);
    StepPlanner p =
        StepPlanner.forSplit(new IndexDataset(37, demoOnly), Dataset.TRAIN, new RunPlan(3, 6, 3, 2, Strategy.RANDOM));
    assertEquals(33, p.queryableCount());
    assertEquals(6, p.stepsPerEpoch());
    for (long epoch = 0; epoch < 5; epoch++) {
      Map<Integer, Integer> counts = new HashMap<>();
      for (long s = epoch * 6; s < (epoch + 1) * 6; s++) {
        GlobalBatch b = p.plan(s);
        assertEquals(epoch, b.epoch());
        for (int sample : b.samples()) {
          counts.merge(sample, 1, Integer::sum);
        }
      }
      assertEquals(33, counts.size(), "epoch " + epoch);
      assertTrue(counts.values().stream().allMatch(n -> n == 1), "epoch " + epoch + ": " + counts);
      for (int d : demoOnly) {
        assertFalse(counts.containsKey(d), "demonstration-only sample " + d + " was a query");
      }
    }
  }

  @Test
  void epochsAreShuffledDifferently() {
    StepPlanner p = planner(40, PLAN);
    assertFalse(Arrays.equals(p.plan(0).samples(), p.plan(5).samples()));
  }

  @Test
  void deterministicAcrossInstances() {
    StepPlanner a = planner(50, PLAN);
    StepPlanner b = planner(50, PLAN);
    // b plans in another order (its cache sees other epochs first): same result.
    for (long s : new long[] {13, 0, 6, 7, 20}) {
      b.plan(s);
    }
    for (long s = 0; s < 21; s++) {
      assertEquals(a.plan(s), b.plan(s), "step " + s);
    }
    StepPlanner otherSeed = planner(50, new RunPlan(8, 8, 2, 3, Strategy.RANDOM));
    assertNotEquals(a.plan(0), otherSeed.plan(0));
  }

  @Test
  void demonstrationsAreKOthersAndIndependentOfMicroBatchSize() {
    StepPlanner m2 = planner(30, PLAN);
    StepPlanner m4 = planner(30, new RunPlan(7, 8, 4, 3, Strategy.RANDOM));
    for (long s = 0; s < 8; s++) {
      List<PlannedQuery> a = queries(m2.plan(s));
      assertEquals(a, queries(m4.plan(s)), "step " + s);
      for (PlannedQuery q : a) {
        assertEquals(3, q.shots());
        assertEquals(3, Arrays.stream(q.demonstrations()).distinct().count());
        assertTrue(Arrays.stream(q.demonstrations()).noneMatch(d -> d == q.sample()));
      }
    }
  }

  @Test
  void cursorRoundTripsThroughStepAt() {
    StepPlanner p = planner(21, PLAN);
    for (long s = 0; s < 12; s++) {
      assertEquals(s, p.stepAt(p.cursorBefore(s)));
      assertEquals(p.cursorBefore(s), DataCursor.parse(p.cursorBefore(s).toString()));
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> p.stepAt(new DataCursor(1, 4)));
    assertTrue(e.getMessage().contains("not a step boundary"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> p.stepAt(new DataCursor(0, 24)));
    assertThrows(IllegalArgumentException.class, () -> DataCursor.parse("3/4"));
  }

  @Test
  void zeroShotsPlansNoDemonstrations() {
    StepPlanner p = planner(9, new RunPlan(1, 4, 4, 0, Strategy.RANDOM));
    assertTrue(queries(p.plan(0)).stream().allMatch(q -> q.shots() == 0));
  }

  @Test
  void badPlansAreRefusedWithTheirNumbers() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new RunPlan(1, 10, 4, 2, Strategy.RANDOM));
    assertTrue(e.getMessage().contains("10") && e.getMessage().contains("4"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> planner(3, new RunPlan(1, 2, 1, 3, Strategy.RANDOM)));
    Set<Integer> all = Set.of(0, 1, 2);
    assertThrows(
        IllegalArgumentException.class,
        () -> StepPlanner.forSplit(new IndexDataset(3, all), Dataset.TRAIN, PLAN));
    assertThrows(IllegalArgumentException.class, () -> planner(10, PLAN).plan(-1));
  }

  private static List<Integer> sizes(GlobalBatch b) {
    return b.microBatches().stream().map(mb -> mb.queries().size()).toList();
  }

  private static List<PlannedQuery> queries(GlobalBatch b) {
    List<PlannedQuery> out = new ArrayList<>();
    b.microBatches().forEach(mb -> out.addAll(mb.queries()));
    return out;
  }
}
