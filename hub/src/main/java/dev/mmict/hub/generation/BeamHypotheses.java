package dev.mmict.hub.generation;

import java.util.ArrayList;
import java.util.List;

/**
 * The best finished hypotheses of one batch row during beam search, scored with the length
 * penalty, and the rule that says when the row can stop.
 */
final class BeamHypotheses {
  private record Hypothesis(int[] tokens, double score, long order) { }

  private final int capacity;
  private final double lengthPenalty;
  private final boolean earlyStopping;
  private final List<Hypothesis> kept = new ArrayList<>();
  private long added;

  BeamHypotheses(int capacity, double lengthPenalty, boolean earlyStopping) {
    this.capacity = capacity;
    this.lengthPenalty = lengthPenalty;
    this.earlyStopping = earlyStopping;
  }

  /**
   * Offers a finished hypothesis.
   *
   * @param tokens its generated tokens, EOS excluded
   * @param sumLogProb its total log-probability, EOS included when it ended with one
   * @param length the length the penalty uses: generated tokens including EOS
   */
  void add(int[] tokens, double sumLogProb, int length) {
    double score = sumLogProb / Math.pow(length, lengthPenalty);
    if (kept.size() < capacity || score > worst().score()) {
      kept.add(new Hypothesis(tokens, score, added++));
      if (kept.size() > capacity) {
        kept.remove(worst());
      }
    }
  }

  /**
   * Whether the row is finished, given the best running continuation's total log-probability
   * and the current generated length.
   */
  boolean isDone(double bestRunningSum, int length) {
    if (kept.size() < capacity) {
      return false;
    }
    if (earlyStopping) {
      return true;
    }
    return worst().score() >= bestRunningSum / Math.pow(length, lengthPenalty);
  }

  /** The best hypothesis's tokens (the earliest among equals), or none if nothing finished. */
  int[] best() {
    Hypothesis best = null;
    for (Hypothesis h : kept) {
      if (best == null || h.score() > best.score()) {
        best = h;
      }
    }
    return best == null ? new int[0] : best.tokens();
  }

  /** Lowest score; among equals the latest added, so earlier hypotheses survive ties. */
  private Hypothesis worst() {
    Hypothesis worst = null;
    for (Hypothesis h : kept) {
      if (worst == null || h.score() <= worst.score()) {
        worst = h;
      }
    }
    return worst;
  }
}
