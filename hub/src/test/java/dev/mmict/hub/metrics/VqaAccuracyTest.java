package dev.mmict.hub.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class VqaAccuracyTest {

  /** Ten annotator answers: {@code k} of them "2", the rest "3". */
  private static List<String> annotators(int k) {
    List<String> answers = new ArrayList<>(Collections.nCopies(k, "2"));
    answers.addAll(Collections.nCopies(10 - k, "3"));
    return answers;
  }

  @Test
  void softAccuracyAveragesOverLeaveOneOutSubsets() {
    // k annotators gave the answer. Leaving out one of the 10 - k others leaves k matches,
    // leaving out one of the k leaves k - 1: acc = ((10 - k) min(1, k/3) + k min(1, (k-1)/3)) / 10.
    assertEquals(0.0, VqaAccuracy.score("two", annotators(0)), 1e-12);
    assertEquals((9 * (1 / 3.0) + 1 * 0.0) / 10, VqaAccuracy.score("two", annotators(1)), 1e-12);
    assertEquals((8 * (2 / 3.0) + 2 * (1 / 3.0)) / 10, VqaAccuracy.score("two", annotators(2)), 1e-12);
    assertEquals(0.6, VqaAccuracy.score("Two", annotators(2)), 1e-12);
    assertEquals((7 * 1.0 + 3 * (2 / 3.0)) / 10, VqaAccuracy.score("2", annotators(3)), 1e-12);
    assertEquals(0.9, VqaAccuracy.score("2", annotators(3)), 1e-12);
    assertEquals(1.0, VqaAccuracy.score("2", annotators(4)), 1e-12);
  }

  @Test
  void annotatorAnswersGetPunctuationProcessingOnlyWhenTheyDisagree() {
    List<String> disagreeing = new ArrayList<>(Collections.nCopies(9, "t_shirt"));
    disagreeing.add("shirt");
    // "t_shirt" -> "t shirt" for the annotators (they disagree) and for the prediction.
    assertEquals(1.0, VqaAccuracy.score("t_shirt", disagreeing), 1e-12);
    // Unanimous answers are used as given: "t_shirt" no longer equals the prediction's "t shirt".
    assertEquals(0.0, VqaAccuracy.score("t_shirt", Collections.nCopies(10, "t_shirt")), 1e-12);
    assertEquals(1.0, VqaAccuracy.score(" Yes. ", Collections.nCopies(10, "yes")), 1e-12);
  }

  @Test
  void rejectsEmptyAnswers() {
    assertThrows(IllegalArgumentException.class, () -> VqaAccuracy.score("yes", List.of()));
  }
}
