package dev.mmict.coordinator.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mmict.storage.dataset.Dataset;
import dev.mmict.storage.dataset.DemoSampler.Strategy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AssignmentTest {

  @Test
  void balancedGivesContiguousRunsFirstWorkersOneMore() {
    Assignment a = Assignment.balanced(7, List.of("w1", "w2", "w3"));
    assertArrayEquals(new int[] {0, 1, 2}, a.microBatchesOf("w1"));
    assertArrayEquals(new int[] {3, 4}, a.microBatchesOf("w2"));
    assertArrayEquals(new int[] {5, 6}, a.microBatchesOf("w3"));
    assertEquals("w2", a.ownerOf(4));
  }

  @Test
  void moreWorkersThanMicroBatchesLeavesSomeIdle() {
    Assignment a = Assignment.balanced(2, List.of("a", "b", "c"));
    assertArrayEquals(new int[] {0}, a.microBatchesOf("a"));
    assertArrayEquals(new int[] {1}, a.microBatchesOf("b"));
    assertArrayEquals(new int[] {}, a.microBatchesOf("c"));
  }

  @Test
  void weightedFollowsSpeedsWithLargestRemainders() {
    // 10 micro-batches, speeds 1 : 2 : 2 → quotas 2, 4, 4 exactly.
    Assignment a = Assignment.weighted(10, List.of("slow", "f1", "f2"), Map.of("slow", 1.0, "f1", 2.0, "f2", 2.0));
    assertEquals(2, a.microBatchesOf("slow").length);
    assertEquals(4, a.microBatchesOf("f1").length);
    // 7 micro-batches, speeds 1 : 1 : 2 → quotas 1.75, 1.75, 3.5 → floors 1, 1, 3, the two
    // leftovers to the two 0.75 remainders.
    Assignment b = Assignment.weighted(7, List.of("x", "y", "z"), Map.of("x", 1.0, "y", 1.0, "z", 2.0));
    assertEquals(List.of(2, 2, 3), counts(b));
    // A newcomer without a measurement counts at the mean of the others (3): quotas 3, 1, 2.
    Assignment c = Assignment.weighted(6, List.of("fast", "slow", "new"), Map.of("fast", 5.0, "slow", 1.0));
    assertEquals(List.of(3, 1, 2), counts(c));
    assertThrows(IllegalArgumentException.class,
        () -> Assignment.weighted(4, List.of("a"), Map.of("a", 0.0)));
  }

  @Test
  void replanAfterADeathCoversEveryMicroBatchOnceOverSurvivors() {
    List<String> workers = List.of("w1", "w2", "w3", "w4");
    for (int n = 0; n <= 13; n++) {
      for (String dead : workers) {
        for (Assignment before : List.of(
            Assignment.balanced(n, workers),
            Assignment.weighted(n, workers, Map.of("w1", 3.0, "w2", 1.0, "w3", 2.5, "w4", 1.0)))) {
          Assignment after = before.without(Set.of(dead));
          assertEquals(workers.stream().filter(w -> !w.equals(dead)).toList(), after.workers());
          assertCoversOnce(after, n);
        }
      }
    }
    Assignment solo = Assignment.balanced(3, List.of("only"));
    assertThrows(IllegalStateException.class, () -> solo.without(Set.of("only")));
  }

  @Test
  void theBatchDoesNotDependOnTheNumberOfWorkers() {
    StepPlanner planner =
        StepPlanner.forSplit(IndexDataset.of(45), Dataset.TRAIN, new RunPlan(11, 12, 3, 2, Strategy.RANDOM));
    for (long step = 0; step < 8; step++) {
      GlobalBatch batch = planner.plan(step);
      Map<Integer, MicroBatch> reference = null;
      for (List<String> workers : List.of(List.of("a"), List.of("a", "b", "c"), List.of("a", "b", "c", "d"))) {
        Assignment assignment = Assignment.balanced(batch.microBatches().size(), workers);
        assertCoversOnce(assignment, batch.microBatches().size());
        // What the workers train, gathered back by micro-batch id.
        Map<Integer, MicroBatch> trained = new TreeMap<>();
        for (String w : workers) {
          for (int id : assignment.microBatchesOf(w)) {
            trained.put(id, batch.microBatches().get(id));
          }
        }
        if (reference == null) {
          reference = trained;
        } else {
          assertEquals(reference, trained, "step " + step + " with " + workers.size() + " workers");
        }
      }
    }
  }

  @Test
  void duplicateOrMissingWorkersAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> Assignment.balanced(3, List.of("a", "a")));
    assertThrows(IllegalArgumentException.class, () -> Assignment.balanced(3, List.of()));
    assertThrows(IllegalArgumentException.class, () -> Assignment.balanced(3, List.of("a")).microBatchesOf("b"));
  }

  private static List<Integer> counts(Assignment a) {
    List<Integer> out = new ArrayList<>();
    for (String w : a.workers()) {
      out.add(a.microBatchesOf(w).length);
    }
    return out;
  }

  private static void assertCoversOnce(Assignment a, int n) {
    int[] seen = new int[n];
    for (String w : a.workers()) {
      for (int id : a.microBatchesOf(w)) {
        seen[id]++;
        assertEquals(w, a.ownerOf(id));
      }
    }
    int[] ones = new int[n];
    Arrays.fill(ones, 1);
    assertArrayEquals(ones, seen, a.toString());
  }
}
