package dev.mmict.storage.records;

/**
 * A packed dataset directory does not match its manifest (a file missing, of the wrong size or
 * sha256, an unreadable manifest or index); names the offending file.
 */
public final class InvalidPackException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String file;

  /**
   * @param file the offending file's name within the pack directory
   * @param problem what is wrong
   */
  public InvalidPackException(String file, String problem) {
    this(file, problem, null);
  }

  /** As above, with the exception that revealed the problem. */
  public InvalidPackException(String file, String problem, Throwable cause) {
    super("Invalid packed dataset file " + file + ": " + problem, cause);
    this.file = file;
  }

  /** The offending file's name within the pack directory. */
  public String file() {
    return file;
  }
}
