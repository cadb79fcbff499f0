package dev.mmict.hub.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QaMetricsTest {

  @Test
  void exactMatchTrimsAndLowerCases() {
    assertEquals(1.0, ExactMatch.score("  Yes ", "yes"));
    assertEquals(0.0, ExactMatch.score("a dog", "dog"));
    assertEquals(1.0, ExactMatch.score("a dog.", "Dog", ExactMatch.Normalization.VQA));
    assertEquals(1.0, ExactMatch.score("Two", "2", ExactMatch.Normalization.VQA));
  }

  @Test
  void meanExactMatchOverQuestions() {
    double acc = QaMetrics.exactMatch(
        Map.of("q1", "Cat", "q2", "dog", "q3", "two"),
        Map.of("q1", "cat", "q2", "horse", "q3", "2"));
    assertEquals(1.0 / 3.0, acc, 1e-12);
    double vqaNorm = QaMetrics.exactMatch(
        Map.of("q1", "Cat", "q2", "dog", "q3", "two"),
        Map.of("q1", "cat", "q2", "horse", "q3", "2"),
        ExactMatch.Normalization.VQA);
    assertEquals(2.0 / 3.0, vqaNorm, 1e-12);
  }

  @Test
  void meanVqaAccuracyOverQuestions() {
    List<String> twoOfTen = new java.util.ArrayList<>(Collections.nCopies(2, "red"));
    twoOfTen.addAll(Collections.nCopies(8, "blue"));
    double acc = QaMetrics.vqaAccuracy(
        Map.of("q1", "Red", "q2", "blue"),
        Map.of("q1", twoOfTen, "q2", twoOfTen));
    // q1: 2 of 10 -> 0.6; q2: 8 of 10 -> 1.0.
    assertEquals((0.6 + 1.0) / 2, acc, 1e-12);
  }

  @Test
  void errorsNameTheQuestion() {
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> QaMetrics.exactMatch(Map.of("q1", "a"), Map.of("q1", "a", "q7", "b")));
    assertTrue(missing.getMessage().contains("q7"), missing.getMessage());
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
        () -> QaMetrics.vqaAccuracy(Map.of("q5", "a"), Map.of("q5", List.of())));
    assertTrue(empty.getMessage().contains("q5"), empty.getMessage());
  }
}
