package dev.mmict.worker.cluster;

/** A state transfer that cannot be installed: a bad, missing or inconsistent chunk, or a digest mismatch. */
public final class StateTransferException extends Exception {

  private static final long serialVersionUID = 1L;

  /** An exception with a message naming the transfer, the tensor and what is wrong. */
  public StateTransferException(String message) {
    super(message);
  }
}
