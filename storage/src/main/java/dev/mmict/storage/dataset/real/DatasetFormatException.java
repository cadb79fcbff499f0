package dev.mmict.storage.dataset.real;

/**
 * Bad input in a dataset's files; the message names the file and the record, e.g. {@code
 * captions_train2014.json: annotations[17] (line 40, image_id 391895): empty caption}.
 */
public final class DatasetFormatException extends RuntimeException {

  private final Problem problem;
  private final String file;
  private final String record;

  /**
   * @param problem the kind of bad input, or null for a whole-file problem (malformed JSON)
   * @param file the file read
   * @param record the record at fault ("annotations[17] (image_id 391895)"), or null
   * @param detail what is wrong
   * @param cause the underlying error, or null
   */
  public DatasetFormatException(
      Problem problem, String file, String record, String detail, Throwable cause) {
    super(file + ": " + (record == null ? "" : record + ": ") + detail, cause);
    this.problem = problem;
    this.file = file;
    this.record = record;
  }

  /** The kind of bad input, or null for a whole-file problem (malformed JSON, missing file). */
  public Problem problem() {
    return problem;
  }

  /** The file read. */
  public String file() {
    return file;
  }

  /** The record at fault, or null. */
  public String record() {
    return record;
  }
}
