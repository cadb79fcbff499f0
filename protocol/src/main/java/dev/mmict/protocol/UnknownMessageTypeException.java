package dev.mmict.protocol;

import java.util.Set;

/** A message claims a type the receiver does not know (another build, or a corrupt manifest). */
public final class UnknownMessageTypeException extends WireMessageException {

  private static final long serialVersionUID = 1L;

  /** {@code messageType} is none of {@code known}. */
  public UnknownMessageTypeException(String messageType, int length, Set<String> known) {
    super(
        messageType,
        "Unknown wire message type '" + messageType + "' (" + length + " bytes); this build knows "
            + known,
        null);
  }
}
