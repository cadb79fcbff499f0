package dev.mmict.hub.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * N-gram counting as the COCO toolkit's {@code precook}: every contiguous run of 1..n tokens.
 *
 * <p>An n-gram is keyed by its tokens joined with single spaces. Tokens never contain whitespace
 * ({@link CaptionCorpus} checks this), so the key is unambiguous and grams of different orders
 * can never collide.
 */
final class NGrams {

  private NGrams() {}

  /** Counts of the n-grams of each order; element {@code k-1} holds the k-grams, k = 1..maxN. */
  static List<Map<String, Integer>> countUpTo(List<String> tokens, int maxN) {
    List<Map<String, Integer>> byOrder = new ArrayList<>(maxN);
    for (int k = 1; k <= maxN; k++) {
      Map<String, Integer> counts = new HashMap<>();
      for (int i = 0; i + k <= tokens.size(); i++) {
        counts.merge(String.join(" ", tokens.subList(i, i + k)), 1, Integer::sum);
      }
      byOrder.add(counts);
    }
    return byOrder;
  }
}
