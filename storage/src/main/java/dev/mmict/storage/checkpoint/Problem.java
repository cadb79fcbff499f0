package dev.mmict.storage.checkpoint;

/**
 * One finding of a checkpoint verification.
 *
 * @param severity {@link Severity#ERROR} refuses the checkpoint, {@link Severity#WARNING} does not
 * @param file the file concerned, or null for the checkpoint as a whole
 * @param message what is wrong, without the location
 */
public record Problem(Severity severity, String file, String message) {

  /** How much a finding matters. */
  public enum Severity {
    /** The checkpoint is not used. */
    ERROR,
    /** Reported, but the checkpoint is still used. */
    WARNING
  }

  /** "file x: message", or the message alone. */
  public String describe() {
    return file == null ? message : "file " + file + ": " + message;
  }
}
