package dev.mmict.hub.io;

import java.io.IOException;
import java.nio.file.Path;

/** A safetensors file that is malformed, or whose content is not what the caller asked for. */
public final class SafetensorsException extends IOException {

  /** An error about {@code file}; the message is prefixed with the file's path. */
  public SafetensorsException(Path file, String message) {
    super(file + ": " + message);
  }

  /** An error about {@code file} caused by {@code cause}. */
  public SafetensorsException(Path file, String message, Throwable cause) {
    super(file + ": " + message, cause);
  }
}
