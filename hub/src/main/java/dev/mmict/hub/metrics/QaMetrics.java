package dev.mmict.hub.metrics;

import java.util.List;
import java.util.Map;

/** Corpus-level question-answering metrics: mean VQAv2 soft accuracy and mean exact match. */
public final class QaMetrics {

  private QaMetrics() {}

  /**
   * Mean VQAv2 soft accuracy (a fraction in [0, 1]; the official tool prints 100 times it).
   *
   * @param predictions predicted answer per question id
   * @param annotatorAnswers the annotators' answers per question id (10 in VQAv2)
   * @throws IllegalArgumentException for mismatched ids or an empty answer list, naming the id
   */
  public static double vqaAccuracy(Map<String, String> predictions, Map<String, List<String>> annotatorAnswers) {
    List<String> ids = Inputs.matchedIds(annotatorAnswers, predictions, "annotator answers", "prediction");
    double sum = 0.0;
    for (String id : ids) {
      List<String> answers = annotatorAnswers.get(id);
      if (answers.isEmpty()) {
        throw new IllegalArgumentException("question '" + id + "' has an empty annotator answer list");
      }
      try {
        sum += VqaAccuracy.score(predictions.get(id), answers);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("question '" + id + "': " + e.getMessage(), e);
      }
    }
    return sum / ids.size();
  }

  /** Mean exact match after {@link ExactMatch.Normalization#TRIM_LOWERCASE}. */
  public static double exactMatch(Map<String, String> predictions, Map<String, String> answers) {
    return exactMatch(predictions, answers, ExactMatch.Normalization.TRIM_LOWERCASE);
  }

  /**
   * Mean exact match after {@code normalization}.
   *
   * @param predictions predicted answer per question id
   * @param answers the ground-truth answer per question id
   * @throws IllegalArgumentException for mismatched ids, naming the id
   */
  public static double exactMatch(
      Map<String, String> predictions, Map<String, String> answers, ExactMatch.Normalization normalization) {
    List<String> ids = Inputs.matchedIds(answers, predictions, "answer", "prediction");
    double sum = 0.0;
    for (String id : ids) {
      sum += ExactMatch.score(predictions.get(id), answers.get(id), normalization);
    }
    return sum / ids.size();
  }
}
