package dev.mmict.hub.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CaptionMetricsTest {

  @Test
  void reportsAllKeysInOrder() {
    Map<String, Double> m = CaptionMetrics.compute(
        Map.of("1", List.of("a cat on a mat"), "2", List.of("a dog in a park")),
        Map.of("1", "a cat on a mat", "2", "a dog in a park"));
    assertEquals(CaptionMetrics.KEYS, new ArrayList<>(m.keySet()));
  }

  @Test
  void casingAndPunctuationDoNotMatterAfterTokenisation() {
    Map<String, List<String>> refs = Map.of(
        "1", List.of("the cat is on the mat", "there is a cat on the mat"),
        "2", List.of("a dog runs fast on the grass", "the dog is running"));
    Map<String, Double> raw = CaptionMetrics.compute(
        Map.of("1", List.of("The cat is on the mat.", "There is a cat on the mat!"),
            "2", List.of("A dog runs fast, on the grass.", "The dog is running...")),
        Map.of("1", "The cat sat on the mat.", "2", "A dog runs!"));
    Map<String, Double> clean = CaptionMetrics.compute(
        CaptionCorpus.ofTokenizedStrings(refs, Map.of("1", "the cat sat on the mat", "2", "a dog runs")));
    assertEquals(clean, raw);
    // BLEU-1 of this corpus, counted by hand in BleuTest: 8/9 * exp(-1/9).
    assertEquals(8.0 / 9.0 * Math.exp(-1.0 / 9.0), raw.get("BLEU-1"), 1e-8);
  }

  @Test
  void perfectCaptionsBeatWrongOnes() {
    Map<String, List<String>> refs = Map.of(
        "1", List.of("a man riding a horse on a beach"),
        "2", List.of("two dogs playing with a red ball"),
        "3", List.of("a plate of food with broccoli and rice"));
    Map<String, Double> perfect = CaptionMetrics.compute(refs,
        Map.of("1", "a man riding a horse on a beach", "2", "two dogs playing with a red ball",
            "3", "a plate of food with broccoli and rice"));
    Map<String, Double> wrong = CaptionMetrics.compute(refs,
        Map.of("1", "a plate of rice", "2", "a man on a beach", "3", "dogs playing"));
    for (String key : CaptionMetrics.KEYS) {
      assertTrue(perfect.get(key) > wrong.get(key), key + ": " + perfect.get(key) + " vs " + wrong.get(key));
    }
    assertEquals(1.0, perfect.get("BLEU-4"), 1e-8);
    assertEquals(1.0, perfect.get("ROUGE-L"), 1e-12);
  }

  @Test
  void rejectsMismatchedIds() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CaptionMetrics.compute(Map.of("1", List.of("a")), Map.of("2", "a")));
    assertTrue(e.getMessage().contains("'2'"), e.getMessage());
  }
}
