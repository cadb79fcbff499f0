package dev.mmict.coordinator.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which worker trains which micro-batches of one step. Each worker gets one contiguous run of
 * micro-batch ids, in the order of the worker list, so the result depends only on the number of
 * micro-batches, the ordered worker list and (when weighted) the weights. Every micro-batch has
 * exactly one owner; a worker may own none when there are more workers than micro-batches (it
 * still joins the exchange with a zero gradient).
 */
public final class Assignment {

  private final int microBatchCount;
  private final List<String> workers;
  private final Map<String, Double> weights; // null: balanced by count
  private final int[] firstOf; // worker i owns [firstOf[i], firstOf[i + 1])

  private Assignment(int microBatchCount, List<String> workers, Map<String, Double> weights, int[] counts) {
    this.microBatchCount = microBatchCount;
    this.workers = workers;
    this.weights = weights;
    this.firstOf = new int[counts.length + 1];
    for (int i = 0; i < counts.length; i++) {
      firstOf[i + 1] = firstOf[i] + counts[i];
    }
  }

  /**
   * Balanced by count: each worker gets floor(n / w) or ceil(n / w) micro-batches, the first
   * n mod w workers of the list one more.
   */
  public static Assignment balanced(int microBatchCount, List<String> workers) {
    List<String> list = checkWorkers(microBatchCount, workers);
    int w = list.size();
    int[] counts = new int[w];
    for (int i = 0; i < w; i++) {
      counts[i] = microBatchCount / w + (i < microBatchCount % w ? 1 : 0);
    }
    return new Assignment(microBatchCount, list, null, counts);
  }

  /**
   * Proportional to {@code speeds} (e.g. measured queries per second): worker i gets
   * floor(n·s_i / Σs) micro-batches, and the leftover ones go to the largest remainders (ties to
   * the earlier worker in the list). A worker without a measurement (a newcomer) counts at the
   * mean of the measured ones, or all at 1 when none is measured. Speeds must be finite and > 0.
   */
  public static Assignment weighted(
      int microBatchCount, List<String> workers, Map<String, Double> speeds) {
    List<String> list = checkWorkers(microBatchCount, workers);
    Map<String, Double> resolved = resolveWeights(list, speeds);
    double total = resolved.values().stream().mapToDouble(Double::doubleValue).sum();
    int w = list.size();
    int[] counts = new int[w];
    double[] remainders = new double[w];
    int given = 0;
    for (int i = 0; i < w; i++) {
      double quota = microBatchCount * resolved.get(list.get(i)) / total;
      counts[i] = (int) Math.floor(quota);
      remainders[i] = quota - counts[i];
      given += counts[i];
    }
    for (int left = microBatchCount - given; left > 0; left--) {
      int best = 0;
      for (int i = 1; i < w; i++) {
        if (remainders[i] > remainders[best]) {
          best = i;
        }
      }
      counts[best]++;
      remainders[best] = -1; // at most one extra each: the leftover is below w
    }
    return new Assignment(microBatchCount, list, resolved, counts);
  }

  /**
   * The same step re-planned without {@code gone} (dead or departed workers): the survivors,
   * in their order, share every micro-batch again by the same rule (balanced, or weighted by
   * the same weights). The aborted attempt's partial work is discarded, so nothing carries over.
   */
  public Assignment without(Collection<String> gone) {
    List<String> survivors = workers.stream().filter(id -> !gone.contains(id)).toList();
    if (survivors.isEmpty()) {
      throw new IllegalStateException("no worker survives " + gone + " to re-plan the step over");
    }
    return weights == null
        ? balanced(microBatchCount, survivors)
        : weighted(microBatchCount, survivors, weights);
  }

  /** Number of micro-batches assigned. */
  public int microBatchCount() {
    return microBatchCount;
  }

  /** The workers, in assignment (and exchange ring) order. */
  public List<String> workers() {
    return workers;
  }

  /** The micro-batch ids {@code worker} trains, ascending; throws for a worker not assigned. */
  public int[] microBatchesOf(String worker) {
    int i = indexOf(worker);
    int[] ids = new int[firstOf[i + 1] - firstOf[i]];
    Arrays.setAll(ids, k -> firstOf[i] + k);
    return ids;
  }

  /** The worker that trains micro-batch {@code id}. */
  public String ownerOf(int id) {
    if (id < 0 || id >= microBatchCount) {
      throw new IndexOutOfBoundsException(
          "micro-batch " + id + " outside [0, " + microBatchCount + ")");
    }
    for (int i = 0; i < workers.size(); i++) {
      if (id < firstOf[i + 1]) {
        return workers.get(i);
      }
    }
    throw new AssertionError("micro-batch " + id + " has no owner");
  }

  /** Worker → its micro-batch ids, in worker order. */
  public Map<String, int[]> byWorker() {
    Map<String, int[]> out = new LinkedHashMap<>();
    for (String w : workers) {
      out.put(w, microBatchesOf(w));
    }
    return out;
  }

  private int indexOf(String worker) {
    int i = workers.indexOf(worker);
    if (i < 0) {
      throw new IllegalArgumentException("worker " + worker + " is not in this assignment " + workers);
    }
    return i;
  }

  private static List<String> checkWorkers(int microBatchCount, List<String> workers) {
    if (microBatchCount < 0) {
      throw new IllegalArgumentException("micro-batch count must be >= 0, got " + microBatchCount);
    }
    List<String> list = List.copyOf(workers);
    if (list.isEmpty()) {
      throw new IllegalArgumentException("no worker to assign micro-batches to");
    }
    Set<String> seen = new HashSet<>();
    for (String w : list) {
      if (!seen.add(w)) {
        throw new IllegalArgumentException("worker " + w + " appears twice in " + list);
      }
    }
    return list;
  }

  private static Map<String, Double> resolveWeights(List<String> workers, Map<String, Double> speeds) {
    Objects.requireNonNull(speeds, "speeds");
    List<Double> known = new ArrayList<>();
    for (String w : workers) {
      Double s = speeds.get(w);
      if (s != null) {
        if (!Double.isFinite(s) || s <= 0) {
          throw new IllegalArgumentException("speed of worker " + w + " must be finite and > 0, got " + s);
        }
        known.add(s);
      }
    }
    double fallback = known.isEmpty() ? 1.0 : known.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    Map<String, Double> out = new LinkedHashMap<>();
    for (String w : workers) {
      out.put(w, speeds.getOrDefault(w, fallback));
    }
    return out;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Assignment{");
    for (int i = 0; i < workers.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(workers.get(i)).append("=[").append(firstOf[i])
          .append(", ").append(firstOf[i + 1]).append(')');
    }
    return b.append('}').toString();
  }
}
