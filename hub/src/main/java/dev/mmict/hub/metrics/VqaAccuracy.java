package dev.mmict.hub.metrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * VQAv2 soft accuracy of one predicted answer, as the official evaluation computes it.
 *
 * <p>The prediction gets the full {@link VqaAnswerNormalizer#normalizeAnswer normalisation}.
 * The annotators' answers get only {@link VqaAnswerNormalizer#processPunctuation}, and only when
 * they are not all identical; the official code relies on the VQAv2 annotation files already
 * holding normalised answers. Then, for each annotator i, acc_i = min(1, #(other annotators
 * whose answer equals the prediction) / 3), and the accuracy is the mean of acc_i: the average
 * over the leave-one-out subsets. With 10 annotators of whom k gave the predicted answer this is
 * 0 for k = 0, 0.3 for k = 1, 0.6 for k = 2, 0.9 for k = 3 and 1 for k &gt;= 4.
 */
public final class VqaAccuracy {

  private VqaAccuracy() {}

  /**
   * Soft accuracy of {@code prediction} against the annotators' answers (10 in VQAv2).
   *
   * @throws IllegalArgumentException if there are no annotator answers or one is null
   */
  public static double score(String prediction, List<String> annotatorAnswers) {
    if (prediction == null) {
      throw new IllegalArgumentException("prediction is null");
    }
    if (annotatorAnswers == null || annotatorAnswers.isEmpty()) {
      throw new IllegalArgumentException("VQA accuracy needs at least one annotator answer");
    }
    if (annotatorAnswers.stream().anyMatch(java.util.Objects::isNull)) {
      throw new IllegalArgumentException("annotator answers contain null: " + annotatorAnswers);
    }
    String predicted = VqaAnswerNormalizer.normalizeAnswer(prediction);
    List<String> answers = annotatorAnswers;
    if (new HashSet<>(annotatorAnswers).size() > 1) {
      answers = new ArrayList<>(annotatorAnswers.size());
      for (String answer : annotatorAnswers) {
        answers.add(VqaAnswerNormalizer.processPunctuation(answer));
      }
    }
    int matchesInAll = 0;
    for (String answer : answers) {
      if (answer.equals(predicted)) {
        matchesInAll++;
      }
    }
    double sum = 0.0;
    for (String answer : answers) {
      int matchesInOthers = matchesInAll - (answer.equals(predicted) ? 1 : 0);
      sum += Math.min(1.0, matchesInOthers / 3.0);
    }
    return sum / answers.size();
  }
}
