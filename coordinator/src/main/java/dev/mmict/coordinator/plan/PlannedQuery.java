package dev.mmict.coordinator.plan;

import java.util.Arrays;

/**
 * One query of a step: a training-split sample and the indices of its demonstrations, in prompt
 * order. Immutable (the array is copied in and out).
 */
public final class PlannedQuery {

  private final int sample;
  private final int[] demonstrations;

  /** The query {@code sample} with {@code demonstrations} (copied). */
  public PlannedQuery(int sample, int[] demonstrations) {
    if (sample < 0) {
      throw new IllegalArgumentException("sample index must be >= 0, got " + sample);
    }
    this.sample = sample;
    this.demonstrations = demonstrations.clone();
  }

  /** Index of the query in the training split. */
  public int sample() {
    return sample;
  }

  /** Indices of its demonstrations (a copy). */
  public int[] demonstrations() {
    return demonstrations.clone();
  }

  /** Number of demonstrations. */
  public int shots() {
    return demonstrations.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PlannedQuery q
        && q.sample == sample
        && Arrays.equals(q.demonstrations, demonstrations);
  }

  @Override
  public int hashCode() {
    return 31 * sample + Arrays.hashCode(demonstrations);
  }

  @Override
  public String toString() {
    return sample + "<-" + Arrays.toString(demonstrations);
  }
}
