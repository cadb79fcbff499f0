package dev.mmict.storage.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.storage.dataset.DemoSampler.Strategy;
import dev.mmict.storage.dataset.synth.FastBindingDataset;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DemoSamplerTest {

  /** An ungrouped dataset of {@code n} placeholder samples, every third one not queryable. */
  private static Dataset tiny(int n) {
    return new Dataset() {
      @Override
      public String name() {
        return "tiny";
      }

      @Override
      public List<String> splits() {
        return List.of(TRAIN);
      }

      @Override
      public int size(String split) {
        return n;
      }

      @Override
      public Sample get(String split, int index) {
        Dataset.checkIndex(this, split, index);
        Frame f = new Frame(1, 1, 1, new float[] {index});
        return new Sample("s" + index, null, index % 3 != 0, List.of(f), "t", "p", "a", List.of("a"));
      }
    };
  }

  @Test
  void randomDemonstrationsAreDistinctNeverTheQueryAndDeterministic() {
    DemoSampler sampler = new DemoSampler(tiny(12), "train");
    Set<Integer> seen = new HashSet<>();
    for (int q = 0; q < 12; q++) {
      for (long step = 0; step < 30; step++) {
        int[] demos = sampler.demonstrations(q, 5, Strategy.RANDOM, 42, 1, step);
        assertEquals(5, demos.length);
        assertEquals(5, Arrays.stream(demos).distinct().count());
        for (int d : demos) {
          assertTrue(d != q && d >= 0 && d < 12, "demo " + d + " for query " + q);
          seen.add(d);
        }
        assertArrayEquals(demos, sampler.demonstrations(q, 5, Strategy.RANDOM, 42, 1, step));
      }
    }
    assertEquals(12, seen.size(), "every sample serves as a demonstration sometimes");
    assertFalse(Arrays.equals(
        sampler.demonstrations(3, 5, Strategy.RANDOM, 42, 1, 0),
        sampler.demonstrations(3, 5, Strategy.RANDOM, 43, 1, 0)));
  }

  @Test
  void randomCanTakeEveryOtherSampleButNoMore() {
    DemoSampler sampler = new DemoSampler(tiny(6), "train");
    int[] all = sampler.demonstrations(2, 5, Strategy.RANDOM, new SplittableRandom(1));
    Arrays.sort(all);
    assertArrayEquals(new int[] {0, 1, 3, 4, 5}, all);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> sampler.demonstrations(2, 6, Strategy.RANDOM, new SplittableRandom(1)));
    assertTrue(e.getMessage().contains("6 samples"), e.getMessage());
    assertEquals(0, sampler.demonstrations(2, 0, Strategy.RANDOM, new SplittableRandom(1)).length);
  }

  @Test
  void randomIsRoughlyUniform() {
    DemoSampler sampler = new DemoSampler(tiny(5), "train");
    int[] counts = new int[5];
    SplittableRandom random = new SplittableRandom(9);
    for (int i = 0; i < 8000; i++) {
      for (int d : sampler.demonstrations(0, 2, Strategy.RANDOM, random)) {
        counts[d]++;
      }
    }
    assertEquals(0, counts[0]);
    for (int k = 1; k < 5; k++) {
      assertEquals(4000, counts[k], 200, "count of " + k); // 8000·2/4, σ ≈ 39
    }
  }

  @Test
  void sameGroupReturnsTheOtherMembersOfTheDialog() {
    FastBindingDataset data = (FastBindingDataset) Datasets.open("shapes-fastbinding");
    DemoSampler sampler = new DemoSampler(data, "train");
    int[] queries = sampler.queryableIndices();
    assertEquals(data.dialogCount("train"), queries.length);
    for (int k = 0; k < 50; k++) {
      int q = queries[k];
      int[] group = data.groupIndices("train", q);
      int[] demos = sampler.demonstrations(q, DemoSampler.ALL, Strategy.SAME_GROUP, 7, 0, k);
      int[] sorted = demos.clone();
      Arrays.sort(sorted);
      assertArrayEquals(Arrays.copyOf(group, group.length - 1), sorted, "query " + q);
      assertArrayEquals(demos, sampler.demonstrations(q, DemoSampler.ALL, Strategy.SAME_GROUP, 7, 0, k));
      int[] capped = sampler.demonstrations(q, 2, Strategy.SAME_GROUP, 7, 0, k);
      assertEquals(2, capped.length);
      for (int d : capped) {
        assertTrue(d != q && Arrays.binarySearch(group, d) >= 0);
      }
    }
  }

  @Test
  void sameGroupOnAnUngroupedTaskFailsClearly() {
    DemoSampler sampler = new DemoSampler(tiny(6), "train");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> sampler.demonstrations(1, 2, Strategy.SAME_GROUP, 1, 0, 0));
    assertTrue(e.getMessage().contains("same-group"), e.getMessage());
  }

  @Test
  void epochOrderIsASeededPermutationOfTheQueryableIndices() {
    DemoSampler sampler = new DemoSampler(tiny(30), "train");
    int[] order = sampler.epochOrder(5, 0);
    int[] sorted = order.clone();
    Arrays.sort(sorted);
    int[] expected = java.util.stream.IntStream.range(0, 30).filter(i -> i % 3 != 0).toArray();
    assertArrayEquals(expected, sorted);
    assertArrayEquals(order, sampler.epochOrder(5, 0));
    assertFalse(Arrays.equals(order, sampler.epochOrder(5, 1)));
    assertFalse(Arrays.equals(order, expected), "shuffled");
    java.util.PrimitiveIterator.OfInt it = sampler.epochIterator(5, 0);
    for (int k : order) {
      assertEquals(k, it.nextInt());
    }
    assertFalse(it.hasNext());
  }

  @Test
  void strategiesParseFromConfigWords() {
    assertEquals(Strategy.SAME_GROUP, Strategy.parse("same-group"));
    assertEquals(Strategy.RANDOM, Strategy.parse("Random"));
    assertThrows(IllegalArgumentException.class, () -> Strategy.parse("nearest"));
  }
}
