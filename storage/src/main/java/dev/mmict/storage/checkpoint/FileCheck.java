package dev.mmict.storage.checkpoint;

/**
 * The verification result of one file of a checkpoint.
 *
 * @param name the file name inside the checkpoint directory
 * @param status the outcome
 * @param expectedSize the size the manifest records, or -1 for a file it does not list
 * @param actualSize the size on disk, or -1 when missing or not a regular file
 * @param expectedSha256 the digest the manifest records, or null for a file it does not list
 * @param actualSha256 the digest of the content, or null when not computed (size already wrong)
 */
public record FileCheck(
    String name,
    Status status,
    long expectedSize,
    long actualSize,
    String expectedSha256,
    String actualSha256) {

  /** The outcome of checking one file. */
  public enum Status {
    /** Size and sha256 as recorded. */
    OK,
    /** Listed in the manifest, absent on disk. */
    MISSING,
    /** Shorter than recorded. */
    TRUNCATED,
    /** Longer than recorded. */
    OVERSIZED,
    /** Right size, different content. */
    SHA256_MISMATCH,
    /** Listed, but a directory or another non-regular entry. */
    NOT_A_FILE,
    /** Present but could not be read. */
    UNREADABLE,
    /** On disk, not listed in the manifest: a warning only (see the storage README). */
    UNEXPECTED
  }

  /** Whether this result refuses the checkpoint. */
  public boolean isError() {
    return status != Status.OK && status != Status.UNEXPECTED;
  }
}
