package dev.mmict.hub.assembly;

import java.util.List;

/**
 * One training or evaluation example: K demonstrations followed by a query (MMICT.md, "One
 * training example"). Token ids come from the model's tokenizer; the target ends with EOS.
 *
 * @param demos the demonstrations, in the order the LLM sees them (may be empty)
 * @param query the item to caption or answer
 */
public record Dialog(List<Demo> demos, Query query) {

  /** A demonstration: its visual and its text (caption, or question and answer). */
  public record Demo(Visual visual, int[] textIds) { }

  /**
   * The query: its visual, the instruction (caption prompt or question) and the target tokens,
   * which end with EOS when the dialog is for training and are empty for generation.
   */
  public record Query(Visual visual, int[] promptIds, int[] targetIds) { }

  /** Copies the demonstration list so the record is immutable. */
  public Dialog {
    demos = List.copyOf(demos);
  }

  /** The same dialog without demonstrations. */
  public Dialog withoutDemos() {
    return new Dialog(List.of(), query);
  }
}
