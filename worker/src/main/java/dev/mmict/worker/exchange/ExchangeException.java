package dev.mmict.worker.exchange;

/**
 * A gradient exchange that failed for this step: names the step, the plan, the peer and the chunk
 * so the caller (the worker actor) can report it and have the step re-planned and retried.
 */
public final class ExchangeException extends Exception {

  /** What went wrong. */
  public enum Reason {
    /** The payload's CRC-32C did not match: bytes were altered on the way. */
    CORRUPT(true),
    /** The payload length or element count differs from what the ring layout demands. */
    WRONG_SIZE(true),
    /** No chunk arrived (or none could be queued for sending) within the configured timeout. */
    TIMEOUT(true),
    /** The connection failed, closed, or carried a frame that could not be parsed. */
    TRANSPORT(true),
    /** A well-formed chunk that does not belong here (wrong sender, phase, offset, encoding…). */
    PROTOCOL(true),
    /** A fixed-point sum did not fit 64 bits: retrying gives the same result; lower the scale. */
    OVERFLOW(false);

    private final boolean retryable;

    Reason(boolean retryable) {
      this.retryable = retryable;
    }

    /** Whether retrying the step can succeed. */
    public boolean retryable() {
      return retryable;
    }
  }

  /** Marker for "not known" in {@link #chunkIndex()} and {@link #elementIndex()}. */
  public static final long UNKNOWN = -1;

  private final Reason reason;
  private final long step;
  private final long planId;
  private final int peerRank;
  private final long chunkIndex;
  private final long elementIndex;

  /**
   * A failure of {@code step}/{@code planId} on the link with {@code peerRank} (the sender for a
   * receive, the destination for a send) at {@code chunkIndex}.
   */
  public ExchangeException(
      Reason reason,
      long step,
      long planId,
      int peerRank,
      long chunkIndex,
      long elementIndex,
      String detail,
      Throwable cause) {
    super(
        reason
            + " in gradient exchange of step "
            + step
            + " (plan "
            + planId
            + "), peer rank "
            + peerRank
            + (chunkIndex >= 0 ? ", chunk " + chunkIndex : "")
            + (elementIndex >= 0 ? ", element " + elementIndex : "")
            + ": "
            + detail,
        cause);
    this.reason = reason;
    this.step = step;
    this.planId = planId;
    this.peerRank = peerRank;
    this.chunkIndex = chunkIndex;
    this.elementIndex = elementIndex;
  }

  /** What went wrong. */
  public Reason reason() {
    return reason;
  }

  /** Whether a retry of the step (a new plan) can succeed. */
  public boolean retryable() {
    return reason.retryable();
  }

  /** The step being exchanged. */
  public long step() {
    return step;
  }

  /** The plan (attempt) of that step. */
  public long planId() {
    return planId;
  }

  /** The rank at the other end of the failed link. */
  public int peerRank() {
    return peerRank;
  }

  /** Index of the chunk within its segment transfer, or {@link #UNKNOWN}. */
  public long chunkIndex() {
    return chunkIndex;
  }

  /** Index of the offending element in the gradient vector, or {@link #UNKNOWN}. */
  public long elementIndex() {
    return elementIndex;
  }
}
