package dev.mmict.storage.checkpoint;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Which checkpoints to keep: the last {@code keepLast} by step, plus the best {@code keepBest} by
 * metric {@code metric} (lowest for {@link Mode#MIN}, highest for {@link Mode#MAX}), plus always
 * the protected one (the newest valid checkpoint). Pure: {@link #stepsToDelete} only decides.
 *
 * @param keepLast how many of the most recent steps to keep, at least 1
 * @param keepBest how many best-by-metric checkpoints to keep besides, 0 or more
 * @param metric the metric name in the manifests' {@code metrics}; null when keepBest is 0
 * @param mode whether lower or higher is better; null when keepBest is 0
 */
public record RetentionPolicy(int keepLast, int keepBest, String metric, Mode mode) {

  /** Whether a lower or a higher metric value is better. */
  public enum Mode {
    /** Lower is better (a loss). */
    MIN,
    /** Higher is better (accuracy, CIDEr). */
    MAX;

    /** Parses "min" or "max", case-insensitive. */
    public static Mode parse(String text) {
      for (Mode m : values()) {
        if (m.name().equals(text.trim().toUpperCase(Locale.ROOT))) {
          return m;
        }
      }
      throw new IllegalArgumentException("Unknown metric mode '" + text + "'; expected min or max");
    }
  }

  /**
   * One existing checkpoint as retention sees it.
   *
   * @param step its step
   * @param metric its value of the policy's metric, or null when absent, null or unreadable
   */
  public record Candidate(long step, Double metric) {}

  /** Validates the combination. */
  public RetentionPolicy {
    if (keepLast < 1) {
      throw new IllegalArgumentException("keepLast must be >= 1, got " + keepLast);
    }
    if (keepBest < 0) {
      throw new IllegalArgumentException("keepBest must be >= 0, got " + keepBest);
    }
    if (keepBest > 0 && (metric == null || metric.isBlank() || mode == null)) {
      throw new IllegalArgumentException("keepBest > 0 needs a metric name and a mode (min/max)");
    }
  }

  /** Keeps every checkpoint. */
  public static RetentionPolicy keepAll() {
    return new RetentionPolicy(Integer.MAX_VALUE, 0, null, null);
  }

  /** Keeps the last {@code n}. */
  public static RetentionPolicy lastN(int n) {
    return new RetentionPolicy(n, 0, null, null);
  }

  /** Keeps the last {@code n} and the best {@code k} by {@code metric}. */
  public static RetentionPolicy lastAndBest(int n, int k, String metric, Mode mode) {
    return new RetentionPolicy(n, k, metric, mode);
  }

  /**
   * The steps to delete, ascending.
   *
   * @param candidates every checkpoint present (any order)
   * @param protectedStep a step never deleted (the newest valid checkpoint), if any
   */
  public List<Long> stepsToDelete(List<Candidate> candidates, OptionalLong protectedStep) {
    List<Candidate> byStepDesc = new ArrayList<>(candidates);
    byStepDesc.sort(Comparator.comparingLong(Candidate::step).reversed());
    Set<Long> keep = new LinkedHashSet<>();
    protectedStep.ifPresent(keep::add);
    byStepDesc.stream().limit(keepLast).forEach(c -> keep.add(c.step()));
    if (keepBest > 0) {
      Comparator<Candidate> better =
          mode == Mode.MIN
              ? Comparator.comparingDouble(Candidate::metric)
              : Comparator.comparingDouble(Candidate::metric).reversed();
      // Among equal values the newer checkpoint wins (byStepDesc order, and the sort is stable).
      byStepDesc.stream()
          .filter(c -> c.metric() != null && Double.isFinite(c.metric()))
          .sorted(better)
          .limit(keepBest)
          .forEach(c -> keep.add(c.step()));
    }
    return candidates.stream()
        .map(Candidate::step)
        .filter(s -> !keep.contains(s))
        .sorted()
        .toList();
  }

  /** For logs: "last 3 + best 1 by val_loss (min)". */
  public String describe() {
    String last = keepLast == Integer.MAX_VALUE ? "all" : "last " + keepLast;
    return keepBest == 0
        ? last
        : last
            + " + best "
            + keepBest
            + " by "
            + metric
            + " ("
            + mode.name().toLowerCase(Locale.ROOT)
            + ")";
  }
}
