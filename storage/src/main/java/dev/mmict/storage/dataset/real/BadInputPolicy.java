package dev.mmict.storage.dataset.real;

/** What a reader does with a bad record (empty caption, missing image, wrong answer count…). */
public enum BadInputPolicy {
  /** Stop with an error naming the file and the record (the default). */
  FAIL,
  /** Drop the record, and list it with its reason in the dataset's {@link SkipReport}. */
  SKIP
}
