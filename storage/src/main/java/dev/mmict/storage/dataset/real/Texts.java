package dev.mmict.storage.dataset.real;

import dev.mmict.storage.dataset.task.Template;
import java.util.Set;
import java.util.TreeSet;

/** The default prompt and demonstration templates of the readers, and their validation. */
public final class Texts {

  /** Caption prompt for images. */
  public static final String IMAGE_CAPTION_PROMPT = "a short image caption:";
  /** Caption prompt for videos. */
  public static final String VIDEO_CAPTION_PROMPT = "a short video caption:";
  /** Caption demonstration: the caption itself. */
  public static final String CAPTION_DEMO = "{target}";
  /** Question prompt (VQAv2, MSVD-QA, MSRVTT-QA). */
  public static final String QA_PROMPT = "Question: {question} Short answer:";
  /** Question demonstration: "question answer". */
  public static final String QA_DEMO = "{question} {answer}";

  private Texts() {}

  /**
   * Checks that the templates use only the placeholders a sample fills: the prompt {@code
   * {question}} (and must, for qa sources); the demonstration also {@code {prompt}}, {@code
   * {target}}, {@code {answer}}.
   *
   * @return null when fine, else what is wrong
   */
  public static String problem(String prompt, String demo, boolean qa) {
    Set<String> promptSlots = qa ? Set.of("question") : Set.of();
    Set<String> demoSlots = qa
        ? Set.of("question", "prompt", "target", "answer")
        : Set.of("prompt", "target", "answer");
    if (prompt != null) {
      String p = unknown(prompt, promptSlots);
      if (p != null) {
        return "prompt '" + prompt + "' " + p;
      }
      if (qa && !Template.placeholders(prompt).contains("question")) {
        return "prompt '" + prompt + "' must contain {question}";
      }
      if (prompt.isBlank()) {
        return "prompt is empty";
      }
    }
    if (demo != null) {
      String d = unknown(demo, demoSlots);
      if (d != null) {
        return "demo '" + demo + "' " + d;
      }
      if (demo.isBlank()) {
        return "demo is empty";
      }
    }
    return null;
  }

  private static String unknown(String template, Set<String> allowed) {
    for (String slot : Template.placeholders(template)) {
      if (!allowed.contains(slot)) {
        return "uses {" + slot + "}; allowed here: " + new TreeSet<>(allowed);
      }
    }
    return null;
  }
}
