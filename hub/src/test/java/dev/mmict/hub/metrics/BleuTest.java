package dev.mmict.hub.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BleuTest {

  private static final double TINY = 1e-15;
  private static final double SMALL = 1e-9;

  private static CaptionCorpus corpus(Map<String, List<String>> refs, Map<String, String> cands) {
    return CaptionCorpus.ofTokenizedStrings(refs, cands);
  }

  @Test
  void identicalFourTokenCaptionScoresOneOnEveryOrder() {
    BleuScore s = new Bleu().score(corpus(Map.of("1", List.of("a cat on mat")), Map.of("1", "a cat on mat")));
    for (int n = 1; n <= 4; n++) {
      // Each factor is (g + 1e-15) / (g + 1e-9), i.e. 1 up to ~1e-9.
      assertEquals(1.0, s.bleu(n), 1e-8, "BLEU-" + n);
    }
  }

  @Test
  void identicalThreeTokenCaptionHasNoFourGramsSoBleu4IsTiny() {
    BleuScore s = new Bleu().score(corpus(Map.of("1", List.of("a cat sits")), Map.of("1", "a cat sits")));
    assertEquals(1.0, s.bleu(3), 1e-8);
    // guess_4 = 0, correct_4 = 0: factor (0 + 1e-15) / (0 + 1e-9) = 1e-6, fourth root = 0.0316...
    // Even at equal lengths the epsilons make ratio = (3 + 1e-15) / (3 + 1e-9) < 1, so the toolkit
    // applies a brevity penalty of exp(1 - 1/ratio) = 1 - 3.3e-10.
    double bp = Math.exp(1 - (3 + SMALL) / (3 + TINY));
    double expected = Math.pow((3 + TINY) / (3 + SMALL) * (2 + TINY) / (2 + SMALL) * (1 + TINY) / (1 + SMALL) * 1e-6, 0.25);
    assertEquals(expected * bp, s.bleu(4), 1e-15);
    assertEquals(Math.pow(1e-6, 0.25), s.bleu(4), 1e-8);
  }

  @Test
  void twoImageCorpusFromHandCountedNgrams() {
    // Image A: candidate "the cat sat on the mat" (6 tokens); references of length 6 and 7 -> closest 6.
    //   1-grams: the x2 (ref max 2), cat, sat (0), on, mat -> correct 5 of 6
    //   2-grams: "the cat", "on the", "the mat" match; "cat sat", "sat on" do not -> 3 of 5
    //   3-grams: only "on the mat" -> 1 of 4;  4-grams: none -> 0 of 3
    // Image B: candidate "a dog runs" (3); references of length 7 and 4 -> closest 4.
    //   1-grams 3 of 3, 2-grams 2 of 2, 3-grams 1 of 1, 4-grams 0 of 0
    // Totals: correct [8, 5, 2, 0], guess [9, 7, 5, 3], candidate length 9, reference length 10.
    CaptionCorpus c = corpus(
        Map.of("A", List.of("the cat is on the mat", "there is a cat on the mat"),
            "B", List.of("a dog runs fast on the grass", "the dog is running")),
        Map.of("A", "the cat sat on the mat", "B", "a dog runs"));
    BleuScore s = new Bleu().score(c);
    assertEquals(9, s.candidateLength());
    assertEquals(10, s.referenceLength());
    double bp = Math.exp(1 - 1 / ((9 + TINY) / (10 + SMALL)));
    double p1 = (8 + TINY) / (9 + SMALL);
    double p2 = (5 + TINY) / (7 + SMALL);
    double p3 = (2 + TINY) / (5 + SMALL);
    double p4 = (0 + TINY) / (3 + SMALL);
    assertEquals(p1 * bp, s.bleu(1), 1e-12);
    assertEquals(Math.sqrt(p1 * p2) * bp, s.bleu(2), 1e-12);
    assertEquals(Math.cbrt(p1 * p2 * p3) * bp, s.bleu(3), 1e-12);
    assertEquals(Math.pow(p1 * p2 * p3 * p4, 0.25) * bp, s.bleu(4), 1e-15);
    // Plain numbers for the reader: 8/9 * exp(-1/9) and sqrt(40/63) * exp(-1/9).
    assertEquals(0.795413, s.bleu(1), 1e-6);
    assertEquals(0.713025, s.bleu(2), 1e-6);
  }

  @Test
  void clipsByTheMaximumCountInASingleReference() {
    // "the the the": max count of "the" in one reference is 2 (not 1 + 2 = 3 over both).
    CaptionCorpus c = corpus(Map.of("1", List.of("the cat the", "the")), Map.of("1", "the the the"));
    // closest reference length to 3 is 3 -> only the epsilon-sized brevity penalty.
    double bp = Math.exp(1 - (3 + SMALL) / (3 + TINY));
    assertEquals((2 + TINY) / (3 + SMALL) * bp, new Bleu(1).score(c).bleu(1), 1e-15);
  }

  @Test
  void closestReferenceLengthTiesGoToTheShorter() {
    List<List<String>> refs = List.of(List.of("a", "b", "c", "d", "e"), List.of("a", "b", "c"));
    assertEquals(3, Bleu.closestReferenceLength(4, refs));
    assertEquals(5, Bleu.closestReferenceLength(5, refs));
    // A 2-token candidate against the 3-token reference: ratio 2/3 -> BP exp(1 - 3/2).
    CaptionCorpus c = corpus(Map.of("1", List.of("a b c d e", "a b c")), Map.of("1", "a b"));
    assertEquals(Math.exp(1 - 1.5), new Bleu(1).score(c).bleu(1), 1e-8);
  }

  @Test
  void rejectsBadOrders() {
    assertThrows(IllegalArgumentException.class, () -> new Bleu(0));
    BleuScore s = new Bleu(2).score(corpus(Map.of("1", List.of("a b")), Map.of("1", "a b")));
    assertThrows(IllegalArgumentException.class, () -> s.bleu(3));
  }
}
