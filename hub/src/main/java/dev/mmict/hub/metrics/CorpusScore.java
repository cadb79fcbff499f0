package dev.mmict.hub.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A corpus-level score that is the mean of per-item scores (ROUGE-L, CIDEr-D), with the items.
 *
 * @param mean the corpus score: the arithmetic mean of {@code perItem}
 * @param perItem the score of each image/question id, in id order
 */
public record CorpusScore(double mean, Map<String, Double> perItem) {

  /** Copies {@code perItem} into an unmodifiable map that keeps its iteration order. */
  public CorpusScore {
    perItem = Collections.unmodifiableMap(new LinkedHashMap<>(perItem));
  }

  /** Builds the score from per-item values (in id order), averaging them in that order. */
  static CorpusScore ofItems(Map<String, Double> perItem) {
    if (perItem.isEmpty()) {
      throw new IllegalArgumentException("cannot average an empty set of scores");
    }
    double sum = 0.0;
    for (double v : perItem.values()) {
      sum += v;
    }
    return new CorpusScore(sum / perItem.size(), perItem);
  }
}
