package dev.mmict.hub.metrics;

import java.util.List;

/**
 * Corpus BLEU-1..N with the lengths that fixed its brevity penalty.
 *
 * @param scores element {@code n-1} is BLEU-n, n = 1..N
 * @param candidateLength total candidate tokens over the corpus
 * @param referenceLength total effective ("closest") reference length over the corpus
 */
public record BleuScore(List<Double> scores, long candidateLength, long referenceLength) {

  /** Copies {@code scores} into an unmodifiable list. */
  public BleuScore {
    scores = List.copyOf(scores);
  }

  /**
   * BLEU-n.
   *
   * @throws IllegalArgumentException if n is outside 1..N
   */
  public double bleu(int n) {
    if (n < 1 || n > scores.size()) {
      throw new IllegalArgumentException("BLEU-" + n + " not computed; orders 1.." + scores.size() + " are available");
    }
    return scores.get(n - 1);
  }
}
