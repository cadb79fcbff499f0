package dev.mmict.protocol;

/** The bytes are not a valid encoding of the named message type (truncated, garbage, corrupt). */
public final class MalformedMessageException extends WireMessageException {

  private static final long serialVersionUID = 1L;

  /** Bytes of {@code length} could not be parsed as {@code messageType}, for {@code cause}. */
  public MalformedMessageException(String messageType, int length, Throwable cause) {
    super(
        messageType,
        "Malformed " + messageType + ": " + length + " bytes could not be parsed ("
            + cause.getMessage() + ")",
        cause);
  }
}
