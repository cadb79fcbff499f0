package dev.mmict.coordinator.recovery;

/** The sample audit and the run state cannot be reconciled into a resume point; the message says why and where. */
public final class RecoveryException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** An inconsistency described by {@code message}. */
  public RecoveryException(String message) {
    super(message);
  }
}
