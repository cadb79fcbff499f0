package dev.mmict.hub.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CiderDTest {

  private static CorpusScore cider(Map<String, List<String>> refs, Map<String, String> cands) {
    return new CiderD().score(CaptionCorpus.ofTokenizedStrings(refs, cands));
  }

  @Test
  void perfectTwoWordCaptionsScoreFive() {
    // N = 2 images, every n-gram has df 1: weight log 2 each. Unigram and bigram cosines are 1,
    // there are no 3- and 4-grams (0), no length difference: 10 * (1 + 1 + 0 + 0) / 4 = 5.
    CorpusScore s = cider(Map.of("1", List.of("a b"), "2", List.of("c d")), Map.of("1", "a b", "2", "c d"));
    assertEquals(5.0, s.mean(), 1e-12);
  }

  @Test
  void clippingAndBigramLengthPenaltyByHand() {
    // N = 2, every reference n-gram has df 1 and unseen n-grams df 0 -> log max(1, 0) = 0, so every
    // weight is tf * log 2 and the cosines below do not depend on log 2 (written with L = 1).
    // Image 1: cand "x x y": uni {x:2, y:1} norm sqrt5, bi {xx:1, xy:1} norm sqrt2, tri {xxy:1}, 2 bigrams.
    //   ref "x y": uni {x:1, y:1} norm sqrt2, bi {xy:1} norm 1, 1 bigram -> delta 1.
    //     uni: (min(2,1)*1 + min(1,1)*1) / (sqrt5 sqrt2) = 2/sqrt10   (without the clip it would be 3/sqrt10)
    //     bi: 1 / (sqrt2 * 1) = 1/sqrt2; tri: reference norm 0 -> 0; 4-gram: 0
    //   ref "x z": uni: min(2,1)*1 / (sqrt5 sqrt2) = 1/sqrt10; bi 0.
    //   score = 10 * (3/sqrt10 + 1/sqrt2) / 4 / 2 refs * exp(-1/72)
    // Image 2: cand "w" (0 bigrams), ref "w v" (1 bigram) -> delta -1.
    //   uni: 1 / (1 * sqrt2) = 1/sqrt2; others 0. score = 10 * (1/sqrt2) / 4 * exp(-1/72)
    double penalty = Math.exp(-1.0 / 72.0);
    double image1 = 10 * (3 / Math.sqrt(10) + 1 / Math.sqrt(2)) / 4 / 2 * penalty;
    double image2 = 10 * (1 / Math.sqrt(2)) / 4 * penalty;
    CorpusScore s = cider(
        Map.of("1", List.of("x y", "x z"), "2", List.of("w v")),
        Map.of("1", "x x y", "2", "w"));
    assertEquals(image1, s.perItem().get("1"), 1e-12);
    assertEquals(image2, s.perItem().get("2"), 1e-12);
    assertEquals((image1 + image2) / 2, s.mean(), 1e-12);
    assertEquals(2.041190, image1, 1e-6);
    assertEquals(1.892287, s.mean(), 1e-6);
  }

  @Test
  void documentFrequencyLowersTheWeightOfCommonNgrams() {
    // N = 3, L = log 3. "a" is in the references of two images: weight L - log 2 = log 1.5.
    // Image 1: cand "a c" vs ref "a b": uni weights cand {a: w, c: L}, ref {a: w, b: L}.
    //   uni = w^2 / (w^2 + L^2); bigrams "a c" vs "a b" share nothing; equal lengths.
    //   score = 10 * (w^2 / (w^2 + L^2)) / 4
    // Images 2 and 3 are exact two-word matches: 10 * (1 + 1) / 4 = 5 each.
    double w = Math.log(1.5);
    double l = Math.log(3);
    double image1 = 10 * (w * w / (w * w + l * l)) / 4;
    CorpusScore s = cider(
        Map.of("1", List.of("a b"), "2", List.of("a d"), "3", List.of("e f")),
        Map.of("1", "a c", "2", "a d", "3", "e f"));
    assertEquals(image1, s.perItem().get("1"), 1e-12);
    assertEquals(5.0, s.perItem().get("2"), 1e-12);
    assertEquals((image1 + 10) / 3, s.mean(), 1e-12);
    assertEquals(0.299708, image1, 1e-6);
  }

  @Test
  void singleImageCorpusScoresZeroBecauseLogNIsZero() {
    CorpusScore s = cider(Map.of("1", List.of("a b c d")), Map.of("1", "a b c d"));
    assertEquals(0.0, s.mean());
  }

  @Test
  void rejectsBadParameters() {
    assertThrows(IllegalArgumentException.class, () -> new CiderD(1, 6.0));
    assertThrows(IllegalArgumentException.class, () -> new CiderD(4, 0.0));
  }
}
