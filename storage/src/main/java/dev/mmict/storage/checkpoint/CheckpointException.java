package dev.mmict.storage.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint that cannot be written, read or trusted; the message names the checkpoint directory
 * and, where one is at fault, the file.
 */
public final class CheckpointException extends IOException {

  private final Path checkpoint;
  private final String file;
  private final String problem;

  /**
   * @param checkpoint the checkpoint directory (or the store's root when no single one is meant)
   * @param file the file inside it at fault, or null
   * @param problem what is wrong, without the location
   * @param cause the underlying error, or null
   */
  public CheckpointException(Path checkpoint, String file, String problem, Throwable cause) {
    super(format(checkpoint, file, problem), cause);
    this.checkpoint = checkpoint;
    this.file = file;
    this.problem = problem;
  }

  /** A problem without an underlying error. */
  public CheckpointException(Path checkpoint, String file, String problem) {
    this(checkpoint, file, problem, null);
  }

  /** The checkpoint directory at fault. */
  public Path checkpoint() {
    return checkpoint;
  }

  /** The file at fault, or null when the problem is not about one file. */
  public String file() {
    return file;
  }

  /** What is wrong, without the location. */
  public String problem() {
    return problem;
  }

  static String format(Path checkpoint, String file, String problem) {
    StringBuilder sb = new StringBuilder("Checkpoint ").append(checkpoint);
    if (file != null) {
      sb.append(", file ").append(file);
    }
    return sb.append(": ").append(problem).toString();
  }
}
