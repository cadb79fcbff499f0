package dev.mmict.hub.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Corpus-level BLEU-1..N exactly as the COCO caption toolkit computes it ({@code bleu_scorer.py}
 * with option {@code "closest"}).
 *
 * <p>Per image: the candidate's n-gram counts are clipped by the maximum count of that n-gram
 * in any single reference, and the effective reference length is the reference length closest
 * to the candidate length (a tie goes to the shorter reference). Over the corpus the clipped
 * matches ("correct"), the candidate n-gram totals ("guess"), the candidate lengths and the
 * effective reference lengths are summed, and then
 *
 * <pre>
 *   BLEU-n = (prod_{k=1..n} (correct_k + 1e-15) / (guess_k + 1e-9))^(1/n) * BP
 *   BP     = exp(1 - 1/ratio) if ratio &lt; 1 else 1,  ratio = (candLen + 1e-15) / (refLen + 1e-9)
 * </pre>
 *
 * <p>The two epsilons are the toolkit's: they make a zero match count give a tiny positive
 * value instead of a log of zero. A consequence worth knowing: a candidate shorter than n tokens
 * has no n-grams, so its BLEU-n is far below 1 even when it equals its reference (a 3-token exact
 * match scores (1e-15 / 1e-9)^(1/4) ≈ 0.0316 on BLEU-4).
 */
public final class Bleu {

  /** Added to the clipped match counts, as {@code tiny} in the toolkit. */
  private static final double TINY = 1e-15;
  /** Added to the candidate n-gram totals, as {@code small} in the toolkit. */
  private static final double SMALL = 1e-9;

  private final int maxN;

  /** BLEU-1..4, the COCO setting. */
  public Bleu() {
    this(4);
  }

  /**
   * BLEU-1..maxN.
   *
   * @throws IllegalArgumentException if maxN &lt; 1
   */
  public Bleu(int maxN) {
    if (maxN < 1) {
      throw new IllegalArgumentException("BLEU order must be at least 1, got " + maxN);
    }
    this.maxN = maxN;
  }

  /** Scores the whole corpus. */
  public BleuScore score(CaptionCorpus corpus) {
    long[] correct = new long[maxN];
    long[] guess = new long[maxN];
    long candidateLength = 0;
    long referenceLength = 0;
    for (CaptionCorpus.Entry entry : corpus.entries()) {
      List<String> candidate = entry.candidate();
      int testLen = candidate.size();
      candidateLength += testLen;
      referenceLength += closestReferenceLength(testLen, entry.references());

      List<Map<String, Integer>> maxRefCounts = maxReferenceCounts(entry.references());
      List<Map<String, Integer>> counts = NGrams.countUpTo(candidate, maxN);
      for (int k = 0; k < maxN; k++) {
        guess[k] += Math.max(0, testLen - k);
        Map<String, Integer> refMax = maxRefCounts.get(k);
        for (Map.Entry<String, Integer> gram : counts.get(k).entrySet()) {
          correct[k] += Math.min(refMax.getOrDefault(gram.getKey(), 0), gram.getValue());
        }
      }
    }

    double ratio = (candidateLength + TINY) / (referenceLength + SMALL);
    double brevityPenalty = ratio < 1.0 ? Math.exp(1.0 - 1.0 / ratio) : 1.0;
    List<Double> scores = new ArrayList<>(maxN);
    for (int n = 1; n <= maxN; n++) {
      double product = 1.0;
      for (int k = 0; k < n; k++) {
        product *= (correct[k] + TINY) / (guess[k] + SMALL);
      }
      scores.add(Math.pow(product, 1.0 / n) * brevityPenalty);
    }
    return new BleuScore(scores, candidateLength, referenceLength);
  }

  /** The reference length closest to {@code testLen}; on a tie the shorter one. */
  static int closestReferenceLength(int testLen, List<List<String>> references) {
    int best = -1;
    for (List<String> ref : references) {
      int len = ref.size();
      if (best < 0
          || Math.abs(len - testLen) < Math.abs(best - testLen)
          || (Math.abs(len - testLen) == Math.abs(best - testLen) && len < best)) {
        best = len;
      }
    }
    return best;
  }

  /** For each order, the largest count of each n-gram in any single reference. */
  private List<Map<String, Integer>> maxReferenceCounts(List<List<String>> references) {
    List<Map<String, Integer>> max = new ArrayList<>(maxN);
    for (int k = 0; k < maxN; k++) {
      max.add(new HashMap<>());
    }
    for (List<String> ref : references) {
      List<Map<String, Integer>> counts = NGrams.countUpTo(ref, maxN);
      for (int k = 0; k < maxN; k++) {
        Map<String, Integer> target = max.get(k);
        counts.get(k).forEach((gram, count) -> target.merge(gram, count, Math::max));
      }
    }
    return max;
  }
}
