package dev.mmict.storage.dataset.real;

/** The kinds of bad input a reader recognises; a {@link SkipReport} counts skips by kind. */
public enum Problem {
  /** A field is missing or has the wrong JSON type. */
  BAD_FIELD,
  /** A caption, question or answer is empty. */
  EMPTY_TEXT,
  /** An image or sample has no caption left. */
  NO_CAPTIONS,
  /** An answer list does not have the expected number of entries. */
  WRONG_ANSWER_COUNT,
  /** The target answer is not among the reference answers. */
  TARGET_NOT_IN_ANSWERS,
  /** A record refers to an image, video or question that the other file does not have. */
  DANGLING_REFERENCE,
  /** An id appears twice. */
  DUPLICATE_ID,
  /** A picture file or frame folder does not exist, or a folder holds no frames. */
  MISSING_MEDIA,
  /** A picture file is not a readable JPEG or PNG. */
  UNDECODABLE_MEDIA
}
