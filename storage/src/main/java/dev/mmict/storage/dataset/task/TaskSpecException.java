package dev.mmict.storage.dataset.task;

/** A task definition that cannot be read or is invalid; the message names file, key and line. */
public final class TaskSpecException extends RuntimeException {

  private final String source;
  private final String key;
  private final int line;

  /**
   * @param source the file or resource read
   * @param key the dotted key path at fault ("ways.min", "questions[2].answer"), or null
   * @param line the 1-based line of that key, or -1 when unknown
   * @param problem what is wrong, without the location
   * @param cause the underlying parse error, or null
   */
  public TaskSpecException(String source, String key, int line, String problem, Throwable cause) {
    super(format(source, key, line, problem), cause);
    this.source = source;
    this.key = key;
    this.line = line;
  }

  /** The file or resource read. */
  public String source() {
    return source;
  }

  /** The dotted key path at fault, or null. */
  public String key() {
    return key;
  }

  /** The 1-based line of the key, or -1 when unknown. */
  public int line() {
    return line;
  }

  private static String format(String source, String key, int line, String problem) {
    StringBuilder sb = new StringBuilder("Task definition ").append(source);
    if (line > 0) {
      sb.append(", line ").append(line);
    }
    if (key != null && !key.isEmpty()) {
      sb.append(", key '").append(key).append('\'');
    }
    return sb.append(": ").append(problem).toString();
  }
}
