package dev.mmict.protocol;

/**
 * Bytes that arrived on the wire could not be turned into a message; names the message type so
 * the receiver's log line says what was rejected.
 */
public class WireMessageException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String messageType;

  /** A failure concerning {@code messageType} (a protobuf full name such as "mmict.v1.StepPlan"). */
  public WireMessageException(String messageType, String message, Throwable cause) {
    super(message, cause);
    this.messageType = messageType;
  }

  /** The protobuf full name of the message type the bytes were read as (or claimed to be). */
  public String messageType() {
    return messageType;
  }
}
