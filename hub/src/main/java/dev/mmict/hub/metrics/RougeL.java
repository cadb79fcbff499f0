package dev.mmict.hub.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ROUGE-L F-measure as the COCO caption toolkit computes it ({@code rouge.py}, beta = 1.2).
 *
 * <p>For one candidate c and references r_1..r_m: with l_i = LCS(c, r_i),
 * P = max_i l_i/|c| and R = max_i l_i/|r_i| (the two maxima may come from different
 * references, as in the toolkit), and F = (1 + beta^2) P R / (R + beta^2 P), or 0 when P or R
 * is 0. The corpus score is the mean of F over images.
 *
 * <p>The toolkit splits captions with {@code split(" ")}, so an empty caption is one empty token
 * rather than none; this class does the same (an empty candidate scores 0 unless a reference is
 * also empty, and never divides by zero).
 */
public final class RougeL {

  /** The toolkit's recall weight. */
  public static final double BETA = 1.2;

  /** Scores every image and averages. */
  public CorpusScore score(CaptionCorpus corpus) {
    Map<String, Double> perImage = new LinkedHashMap<>();
    for (CaptionCorpus.Entry entry : corpus.entries()) {
      perImage.put(entry.id(), sentenceScore(entry.candidate(), entry.references()));
    }
    return CorpusScore.ofItems(perImage);
  }

  /**
   * ROUGE-L F of one candidate against its references.
   *
   * @throws IllegalArgumentException if there are no references
   */
  public static double sentenceScore(List<String> candidate, List<List<String>> references) {
    if (references.isEmpty()) {
      throw new IllegalArgumentException("ROUGE-L needs at least one reference");
    }
    List<String> cand = asSplitBySpace(candidate);
    double precisionMax = 0.0;
    double recallMax = 0.0;
    for (List<String> reference : references) {
      List<String> ref = asSplitBySpace(reference);
      int lcs = lcsLength(ref, cand);
      precisionMax = Math.max(precisionMax, lcs / (double) cand.size());
      recallMax = Math.max(recallMax, lcs / (double) ref.size());
    }
    if (precisionMax == 0.0 || recallMax == 0.0) {
      return 0.0;
    }
    double beta2 = BETA * BETA;
    return ((1 + beta2) * precisionMax * recallMax) / (recallMax + beta2 * precisionMax);
  }

  /** Length of the longest common subsequence of two token lists. */
  public static int lcsLength(List<String> a, List<String> b) {
    int[] previous = new int[b.size() + 1];
    int[] current = new int[b.size() + 1];
    for (int i = 1; i <= a.size(); i++) {
      for (int j = 1; j <= b.size(); j++) {
        current[j] = a.get(i - 1).equals(b.get(j - 1))
            ? previous[j - 1] + 1
            : Math.max(previous[j], current[j - 1]);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.size()];
  }

  /** Python's {@code "".split(" ")} is {@code [""]}: an empty caption counts as one empty token. */
  private static List<String> asSplitBySpace(List<String> tokens) {
    return tokens.isEmpty() ? List.of("") : tokens;
  }
}
