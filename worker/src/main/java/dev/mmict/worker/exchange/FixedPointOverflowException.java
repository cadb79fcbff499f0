package dev.mmict.worker.exchange;

/**
 * A value or a sum that does not fit the 64-bit fixed-point format; carries the element index so
 * the caller can say which gradient element blew up (the format never wraps silently).
 */
public final class FixedPointOverflowException extends ArithmeticException {

  private final long elementIndex;

  /** An overflow at {@code elementIndex} (an index into the whole gradient vector). */
  public FixedPointOverflowException(long elementIndex, String message) {
    super(message);
    this.elementIndex = elementIndex;
  }

  /** Index of the offending element in the gradient vector. */
  public long elementIndex() {
    return elementIndex;
  }
}
