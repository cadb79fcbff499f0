package dev.mmict.hub.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RougeLTest {

  private static List<String> t(String s) {
    return s.isEmpty() ? List.of() : Arrays.asList(s.split(" "));
  }

  @Test
  void lcsOfClassicExample() {
    // "b c b a" (or "b d a b") is a longest common subsequence of these two: length 4.
    assertEquals(4, RougeL.lcsLength(t("a b c b d a b"), t("b d c a b a")));
    assertEquals(0, RougeL.lcsLength(t("x y"), t("a b")));
    assertEquals(0, RougeL.lcsLength(List.of(), t("a b")));
  }

  @Test
  void equalPrecisionAndRecallGiveThatValue() {
    // LCS("the cat sat on the mat", "the cat is on the mat") = 5 ("the cat on the mat"): P = R = 5/6.
    double f = RougeL.sentenceScore(t("the cat sat on the mat"), List.of(t("the cat is on the mat")));
    assertEquals(5.0 / 6.0, f, 1e-12);
  }

  @Test
  void precisionAndRecallMaximaMayComeFromDifferentReferences() {
    // cand "dog runs in park" (4).  ref1 "dog runs" (2): LCS 2 -> P 0.5, R 1.0.
    // ref2 "dog runs in a big green open field" (8): LCS 3 -> P 0.75, R 0.375.
    // P_max = 0.75, R_max = 1.0: F = (1 + 1.44) * 0.75 * 1 / (1 + 1.44 * 0.75) = 1.83 / 2.08.
    double f = RougeL.sentenceScore(
        t("dog runs in park"), List.of(t("dog runs"), t("dog runs in a big green open field")));
    assertEquals(1.83 / 2.08, f, 1e-12);
  }

  @Test
  void noOverlapAndEmptyCandidateScoreZero() {
    assertEquals(0.0, RougeL.sentenceScore(t("a b"), List.of(t("c d"))));
    assertEquals(0.0, RougeL.sentenceScore(List.of(), List.of(t("c d"))));
  }

  @Test
  void corpusScoreIsTheMeanOverImages() {
    CaptionCorpus c = CaptionCorpus.ofTokenizedStrings(
        Map.of("1", List.of("the cat is on the mat"), "2", List.of("c d")),
        Map.of("1", "the cat sat on the mat", "2", "a b"));
    CorpusScore s = new RougeL().score(c);
    assertEquals((5.0 / 6.0 + 0.0) / 2, s.mean(), 1e-12);
    assertEquals(5.0 / 6.0, s.perItem().get("1"), 1e-12);
  }
}
