package dev.mmict.hub.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CaptionCorpusTest {

  private static String failure(Runnable r) {
    return assertThrows(IllegalArgumentException.class, r::run).getMessage();
  }

  @Test
  void entriesAreSortedByIdAndTokenised() {
    CaptionCorpus c = CaptionCorpus.tokenize(
        Map.of("b", List.of("A Dog."), "a", List.of("Two cats!", "cats")),
        Map.of("a", "Cats.", "b", "a dog"),
        new PtbTokenizer());
    assertEquals(List.of("a", "b"), c.entries().stream().map(CaptionCorpus.Entry::id).toList());
    assertEquals(List.of("cats"), c.entries().get(0).candidate());
    assertEquals(List.of(List.of("two", "cats"), List.of("cats")), c.entries().get(0).references());
    assertEquals(List.of("a", "dog"), c.entries().get(1).references().get(0));
  }

  @Test
  void errorsNameTheOffendingId() {
    String missingCandidate = failure(() -> CaptionCorpus.ofTokenizedStrings(
        Map.of("img1", List.of("a"), "img2", List.of("b")), Map.of("img1", "a")));
    assertTrue(missingCandidate.contains("img2") && missingCandidate.contains("no candidate"), missingCandidate);

    String missingRefs = failure(() -> CaptionCorpus.ofTokenizedStrings(
        Map.of("img1", List.of("a")), Map.of("img1", "a", "img9", "b")));
    assertTrue(missingRefs.contains("img9") && missingRefs.contains("no references"), missingRefs);

    String emptyRefs = failure(() -> CaptionCorpus.ofTokenizedStrings(
        Map.of("img3", List.of()), Map.of("img3", "a")));
    assertTrue(emptyRefs.contains("img3") && emptyRefs.contains("empty reference list"), emptyRefs);

    Map<String, String> nullCandidate = new HashMap<>();
    nullCandidate.put("img4", null);
    String nullMsg = failure(() -> CaptionCorpus.ofTokenizedStrings(Map.of("img4", List.of("a")), nullCandidate));
    assertTrue(nullMsg.contains("img4"), nullMsg);

    String badToken = failure(() -> CaptionCorpus.ofTokens(
        Map.of("img5", List.of(List.of("a b"))), Map.of("img5", List.of("a"))));
    assertTrue(badToken.contains("img5") && badToken.contains("reference 0"), badToken);

    failure(() -> CaptionCorpus.ofTokenizedStrings(Map.of(), Map.of()));
  }
}
