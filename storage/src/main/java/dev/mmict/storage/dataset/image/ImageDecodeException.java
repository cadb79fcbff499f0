package dev.mmict.storage.dataset.image;

import java.nio.file.Path;

/** A file that is not a readable JPEG or PNG picture; the message names the file. */
public final class ImageDecodeException extends RuntimeException {

  private final transient Path file;

  /**
   * @param file the file read
   * @param problem what is wrong with it
   * @param cause the underlying error, or null
   */
  public ImageDecodeException(Path file, String problem, Throwable cause) {
    super(file + ": " + problem, cause);
    this.file = file;
  }

  /** The file that could not be read. */
  public Path file() {
    return file;
  }
}
