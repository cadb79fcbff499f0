package dev.mmict.storage.checkpoint;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The answer to "which checkpoint do I resume from": the newest valid one, if any, and the newer
 * ones that were refused on the way, with the reason.
 *
 * @param checkpoint the newest valid checkpoint, empty when there is none
 * @param skipped the newer checkpoints refused, newest first
 */
public record LatestValid(Optional<Checkpoint> checkpoint, List<Skipped> skipped) {

  /**
   * A checkpoint passed over.
   *
   * @param step its step
   * @param dir its directory
   * @param reason the verification errors in one line
   */
  public record Skipped(long step, Path dir, String reason) {}

  /** Takes a defensive copy. */
  public LatestValid {
    skipped = List.copyOf(skipped);
  }

  /** Whether a newer checkpoint than the one returned had to be refused. */
  public boolean fellBack() {
    return !skipped.isEmpty();
  }

  /** One message for the user, e.g. "Resuming from step-00000100; skipped step-00000120 (...)". */
  public String describe() {
    String head =
        checkpoint
            .map(c -> "Resuming from " + c.dir().getFileName() + " (step " + c.step() + ")")
            .orElse("No valid checkpoint");
    if (skipped.isEmpty()) {
      return head;
    }
    return head
        + "; skipped newer invalid "
        + skipped.stream()
            .map(s -> s.dir().getFileName() + " (" + s.reason() + ")")
            .collect(Collectors.joining(", "));
  }
}
