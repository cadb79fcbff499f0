package dev.mmict.hub.metrics;

import java.util.Locale;

/** Exact-match accuracy of one answer (MSVD-QA / MSRVTT-QA), after a chosen normalisation. */
public final class ExactMatch {

  /** How both answers are normalised before comparing. */
  public enum Normalization {
    /** Strip surrounding whitespace and lower-case; the usual video-QA protocol (default). */
    TRIM_LOWERCASE,
    /** The official VQAv2 answer normalisation ({@link VqaAnswerNormalizer#normalizeAnswer}) on both sides. */
    VQA
  }

  private ExactMatch() {}

  /** 1 if the answers match after {@link Normalization#TRIM_LOWERCASE}, else 0. */
  public static double score(String prediction, String answer) {
    return score(prediction, answer, Normalization.TRIM_LOWERCASE);
  }

  /**
   * 1 if the answers match after {@code normalization}, else 0.
   *
   * @throws IllegalArgumentException if either answer is null
   */
  public static double score(String prediction, String answer, Normalization normalization) {
    if (prediction == null || answer == null) {
      throw new IllegalArgumentException("exact match needs two answers, got " + prediction + " and " + answer);
    }
    return normalize(prediction, normalization).equals(normalize(answer, normalization)) ? 1.0 : 0.0;
  }

  /** The normalised form compared by {@link #score(String, String, Normalization)}. */
  public static String normalize(String text, Normalization normalization) {
    return switch (normalization) {
      case TRIM_LOWERCASE -> text.strip().toLowerCase(Locale.ROOT);
      case VQA -> VqaAnswerNormalizer.normalizeAnswer(text);
    };
  }
}
