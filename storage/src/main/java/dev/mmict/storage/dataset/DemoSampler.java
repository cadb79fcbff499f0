package dev.mmict.storage.dataset;

import java.util.Arrays;
import java.util.Locale;
import java.util.PrimitiveIterator;
import java.util.random.RandomGenerator;

/**
 * Chooses the in-context demonstrations of a query and the order of the queries in an epoch,
 * deterministically from seeds, for one split of a dataset. Pure: no I/O, no state beyond the
 * split it was made for, so the coordinator can plan and a test can replay.
 */
public final class DemoSampler {

  /** Pass as {@code shots} to get every other member of the query's group. */
  public static final int ALL = Integer.MAX_VALUE;

  /** How demonstrations are chosen. */
  public enum Strategy {
    /** Uniformly from the whole split, without replacement, never the query itself. */
    RANDOM,
    /** The other members of the query's group (a fast-binding dialog), in a seeded order. */
    SAME_GROUP;

    /** Parses "random" or "same-group" (case-insensitive, '_' or '-'). */
    public static Strategy parse(String text) {
      String key = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
      for (Strategy s : values()) {
        if (s.name().equals(key)) {
          return s;
        }
      }
      throw new IllegalArgumentException(
          "Unknown demonstration strategy '" + text + "'; expected random or same-group");
    }
  }

  private final Dataset dataset;
  private final String split;
  private final int size;

  /** A sampler over {@code split} of {@code dataset}. */
  public DemoSampler(Dataset dataset, String split) {
    this.dataset = dataset;
    this.split = split;
    this.size = dataset.size(split);
  }

  /**
   * The demonstrations of query {@code queryIndex} at (seed, epoch, step): the same arguments
   * always give the same indices, and each query of a step gets its own stream.
   */
  public int[] demonstrations(
      int queryIndex, int shots, Strategy strategy, long seed, long epoch, long step) {
    return demonstrations(
        queryIndex, shots, strategy, Seeds.random(seed, epoch, step, queryIndex, 0x5EED_DE30L));
  }

  /**
   * The demonstrations of query {@code queryIndex}, drawn with {@code random}.
   *
   * <p>RANDOM returns exactly {@code shots} distinct indices other than the query, and fails if
   * the split has too few samples. SAME_GROUP returns {@code min(shots, group size − 1)} other
   * members of the query's group in a shuffled order ({@link #ALL} for all of them), and fails
   * when a positive {@code shots} finds no other member (an ungrouped task).
   */
  public int[] demonstrations(int queryIndex, int shots, Strategy strategy, RandomGenerator random) {
    Dataset.checkIndex(dataset, split, queryIndex);
    if (shots < 0) {
      throw new IllegalArgumentException("shots must be >= 0, got " + shots);
    }
    if (shots == 0) {
      return new int[0];
    }
    return switch (strategy) {
      case RANDOM -> randomOthers(queryIndex, shots, random);
      case SAME_GROUP -> sameGroup(queryIndex, shots, random);
    };
  }

  /** The queryable indices of the split in a shuffled order fixed by (seed, epoch). */
  public int[] epochOrder(long seed, long epoch) {
    int[] queries = queryableIndices();
    shuffle(queries, Seeds.random(seed, epoch, 0xE70C_0DE5L));
    return queries;
  }

  /** {@link #epochOrder(long, long)} as an iterator, for a loop that walks one epoch. */
  public PrimitiveIterator.OfInt epochIterator(long seed, long epoch) {
    return Arrays.stream(epochOrder(seed, epoch)).iterator();
  }

  /** The queryable indices of the split, ascending. */
  public int[] queryableIndices() {
    int[] out = new int[size];
    int n = 0;
    for (int i = 0; i < size; i++) {
      if (dataset.isQueryable(split, i)) {
        out[n++] = i;
      }
    }
    return Arrays.copyOf(out, n);
  }

  private int[] randomOthers(int query, int shots, RandomGenerator random) {
    if (shots > size - 1) {
      throw new IllegalArgumentException(
          dataset.name() + "/" + split + " has " + size + " samples: cannot draw " + shots
              + " demonstrations other than the query");
    }
    // Floyd's algorithm over the size-1 candidates (index >= query shifted by one): K draws,
    // no O(size) allocation.
    int[] chosen = new int[shots];
    int n = size - 1;
    for (int j = n - shots, k = 0; j < n; j++, k++) {
      int t = random.nextInt(j + 1);
      chosen[k] = contains(chosen, k, t) ? j : t;
    }
    // Floyd's picks are not in random order: shuffle so position carries no information.
    shuffle(chosen, random);
    for (int k = 0; k < shots; k++) {
      if (chosen[k] >= query) {
        chosen[k]++;
      }
    }
    return chosen;
  }

  private int[] sameGroup(int query, int shots, RandomGenerator random) {
    int[] members = dataset.groupIndices(split, query);
    int[] others = new int[members.length];
    int n = 0;
    for (int m : members) {
      if (m != query) {
        others[n++] = m;
      }
    }
    if (n == 0) {
      throw new IllegalArgumentException(
          dataset.name() + "/" + split + ": sample " + query + " has no other group member;"
              + " the same-group strategy needs a grouped task (e.g. fastbinding)");
    }
    others = Arrays.copyOf(others, n);
    shuffle(others, random);
    return shots >= n ? others : Arrays.copyOf(others, shots);
  }

  private static boolean contains(int[] values, int count, int value) {
    for (int i = 0; i < count; i++) {
      if (values[i] == value) {
        return true;
      }
    }
    return false;
  }

  private static void shuffle(int[] values, RandomGenerator random) {
    for (int i = values.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = values[i];
      values[i] = values[j];
      values[j] = t;
    }
  }
}
