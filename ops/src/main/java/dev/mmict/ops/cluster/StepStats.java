package dev.mmict.ops.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * The arithmetic of {@code bench scaling}: per-step intervals from readings taken at each step end,
 * their median and mean, and the order in which the passes of both sides run.
 */
final class StepStats {

  /** What one pass of the bench runs. */
  enum Side {
    /** The single-process trainer in a JVM of its own. */
    SINGLE,
    /** A 1-worker cluster: coordinator in a JVM of its own, one worker JVM. */
    CLUSTER1,
    /** A 2-worker cluster (for information). */
    CLUSTER2
  }

  private StepStats() { }

  /**
   * The differences between consecutive readings from the end of step {@code warmup - 1} on: one
   * per timed step ({@code readings.size() - warmup} of them).
   *
   * @throws IllegalArgumentException when fewer than {@code warmup + 1} readings are given, or a
   *     reading in the timed range is negative (a clock the platform lacks)
   */
  static List<Long> intervals(List<Long> readings, int warmup) {
    if (warmup < 1 || readings.size() < warmup + 1) {
      throw new IllegalArgumentException("only " + readings.size() + " step-end readings for " + warmup
          + " warm-up steps: need at least " + (warmup + 1));
    }
    List<Long> out = new ArrayList<>(readings.size() - warmup);
    for (int i = warmup; i < readings.size(); i++) {
      long a = readings.get(i - 1);
      long b = readings.get(i);
      if (a < 0 || b < 0) {
        throw new IllegalArgumentException("step-end reading " + (a < 0 ? i - 1 : i) + " is unknown (" + Math.min(a, b)
            + ")");
      }
      out.add(b - a);
    }
    return out;
  }

  /** The median of {@code values} (the mean of the middle two for an even count). */
  static double median(List<? extends Number> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("the median of no values");
    }
    double[] v = values.stream().mapToDouble(Number::doubleValue).sorted().toArray();
    int mid = v.length / 2;
    return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  }

  /** The arithmetic mean of {@code values}. */
  static double mean(List<? extends Number> values) {
    if (values.isEmpty()) {
      throw new IllegalArgumentException("the mean of no values");
    }
    return values.stream().mapToDouble(Number::doubleValue).sum() / values.size();
  }

  /**
   * The passes in order: {@code rounds} of the single process and the 1-worker cluster, mirrored
   * every other round (single, cluster, cluster, single, single, cluster, ...), so that a machine
   * that speeds up or slows down steadily during the bench favours neither side over an even number
   * of rounds; then the 2-worker cluster once, if asked for.
   */
  static List<Side> order(int rounds, boolean twoWorkers) {
    if (rounds < 1) {
      throw new IllegalArgumentException("bench scaling needs at least 1 round, got " + rounds);
    }
    List<Side> out = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      if (r % 2 == 0) {
        out.add(Side.SINGLE);
        out.add(Side.CLUSTER1);
      } else {
        out.add(Side.CLUSTER1);
        out.add(Side.SINGLE);
      }
    }
    if (twoWorkers) {
      out.add(Side.CLUSTER2);
    }
    return List.copyOf(out);
  }
}
