package dev.mmict.ops.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * The arithmetic of {@code bench scaling}: per-step intervals from readings taken at each step end,
 * their median and mean, block-by-block ratios of interleaved rounds, and the order in which the
 * passes of both sides run.
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

  /**
   * As {@link #intervals(List, int)}, less the time the side waited for its turn before each timed
   * step ({@code waits.get(i)}: the wait after the end of step i): a step's own time in an
   * interleaved round.
   *
   * @throws IllegalArgumentException as {@link #intervals(List, int)}, or when the waits do not
   *     match the readings or exceed an interval
   */
  static List<Long> intervals(List<Long> readings, List<Long> waits, int warmup) {
    if (waits.size() != readings.size()) {
      throw new IllegalArgumentException(waits.size() + " waits for " + readings.size() + " step-end readings");
    }
    List<Long> raw = intervals(readings, warmup);
    List<Long> out = new ArrayList<>(raw.size());
    for (int k = 0; k < raw.size(); k++) {
      long wait = waits.get(warmup - 1 + k);
      if (wait < 0 || wait > raw.get(k)) {
        throw new IllegalArgumentException("the wait after step " + (warmup - 1 + k) + " (" + wait
            + " ns) is negative or longer than the interval to the next step end (" + raw.get(k) + " ns)");
      }
      out.add(raw.get(k) - wait);
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

  /**
   * The passes of interleaved rounds: each round's single and 1-worker cluster pass (started
   * together, taking turns), then the 2-worker cluster once, if asked for.
   */
  static List<Side> interleavedOrder(int rounds, boolean twoWorkers) {
    if (rounds < 1) {
      throw new IllegalArgumentException("bench scaling needs at least 1 round, got " + rounds);
    }
    List<Side> out = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      out.add(Side.SINGLE);
      out.add(Side.CLUSTER1);
    }
    if (twoWorkers) {
      out.add(Side.CLUSTER2);
    }
    return List.copyOf(out);
  }

  /**
   * Interleaved rounds, block by block: for round r and turn k, the median of the cluster's k-th
   * block of timed steps over the median of the single process's k-th block, which ran just before
   * it. Blocks are {@code block} consecutive timed steps (the last may be shorter); step times are
   * the intervals less the waits for the turn.
   *
   * @param single the single process's traces, one per round
   * @param cluster the 1-worker cluster's traces, one per round, in the same order
   */
  static List<Double> blockRatios(List<ScalingTrace> single, List<ScalingTrace> cluster, int warmup, int block) {
    if (single.size() != cluster.size()) {
      throw new IllegalArgumentException(single.size() + " single passes but " + cluster.size() + " cluster passes");
    }
    List<Double> out = new ArrayList<>();
    for (int r = 0; r < single.size(); r++) {
      List<Long> s = intervals(single.get(r).endNanos(), single.get(r).waitNanos(), warmup);
      List<Long> c = intervals(cluster.get(r).endNanos(), cluster.get(r).waitNanos(), warmup);
      if (s.size() != c.size()) {
        throw new IllegalArgumentException("round " + (r + 1) + ": " + s.size() + " timed single steps but "
            + c.size() + " cluster steps");
      }
      for (int from = 0; from < s.size(); from += block) {
        int to = Math.min(s.size(), from + block);
        out.add(median(c.subList(from, to)) / median(s.subList(from, to)));
      }
    }
    return List.copyOf(out);
  }
}
