package dev.mmict.storage.dataset;

import java.util.List;
import java.util.Objects;

/**
 * One item of a dataset, usable both as an in-context demonstration and as the query of a
 * dialog.
 *
 * @param id unique within the dataset (all splits), stable across runs
 * @param group null for ordinary tasks; for grouped tasks (fast binding) the id of the dialog the
 *     sample belongs to: the demonstrations of a query are its group's other members
 * @param queryable false for samples that may only serve as demonstrations
 * @param frames one frame for an image, several (all of one size) for a video
 * @param text what the sample contributes as a demonstration (a caption, "question answer", or
 *     "this is a dax.")
 * @param prompt the instruction when the sample is the query (a caption prompt, a question, or
 *     "what is this? this is a")
 * @param target the output expected for the query (caption, answer, or name)
 * @param answers every reference the query's output is scored against (captions for CIDEr, ten
 *     answers for VQA soft accuracy); contains {@code target}
 */
public record Sample(
    String id,
    String group,
    boolean queryable,
    List<Frame> frames,
    String text,
    String prompt,
    String target,
    List<String> answers) {

  /** Checks the invariants above and freezes the lists. */
  public Sample {
    Objects.requireNonNull(id, "Sample id");
    Objects.requireNonNull(text, () -> "Sample " + id + ": text");
    Objects.requireNonNull(prompt, () -> "Sample " + id + ": prompt");
    Objects.requireNonNull(target, () -> "Sample " + id + ": target");
    frames = List.copyOf(Objects.requireNonNull(frames, () -> "Sample " + id + ": frames"));
    answers = List.copyOf(Objects.requireNonNull(answers, () -> "Sample " + id + ": answers"));
    if (frames.isEmpty()) {
      throw new IllegalArgumentException("Sample " + id + " has no frames");
    }
    Frame first = frames.get(0);
    for (int i = 1; i < frames.size(); i++) {
      Frame f = frames.get(i);
      if (f.channels() != first.channels()
          || f.height() != first.height()
          || f.width() != first.width()) {
        throw new IllegalArgumentException(
            "Sample " + id + ": frame " + i + " is " + f + " but frame 0 is " + first);
      }
    }
    if (!answers.contains(target)) {
      throw new IllegalArgumentException(
          "Sample " + id + ": answers " + answers + " do not contain the target '" + target + "'");
    }
  }
}
