package dev.mmict.storage.dataset.real;

/**
 * How thoroughly a reader checks the picture files of the records it keeps, when it opens the
 * dataset. Whatever is not caught here fails on {@code get} with an error naming the file and
 * the record, whatever the policy: by then the indices are fixed and nothing can be dropped.
 */
public enum ImageCheck {
  /** The file exists (one stat per file). */
  EXISTS,
  /** The file exists and ImageIO reads its header (size); the default. */
  HEADER,
  /** Every picture is decoded once: slow, but nothing can fail later. */
  DECODE
}
