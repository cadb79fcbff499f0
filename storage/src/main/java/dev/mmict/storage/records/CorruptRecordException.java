package dev.mmict.storage.records;

/**
 * A record in a shard failed its checks (length or data CRC, truncation, undecodable payload);
 * names the shard file and the byte offset of the record's first byte.
 */
public final class CorruptRecordException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String shard;
  private final long offset;

  /**
   * @param shard the shard's file name
   * @param offset the byte offset of the record (its length field) within the shard
   * @param problem what is wrong
   */
  public CorruptRecordException(String shard, long offset, String problem) {
    this(shard, offset, problem, null);
  }

  /** As above, with the exception that revealed the problem. */
  public CorruptRecordException(String shard, long offset, String problem, Throwable cause) {
    super("Corrupt record in shard " + shard + " at byte offset " + offset + ": " + problem, cause);
    this.shard = shard;
    this.offset = offset;
  }

  /** The shard's file name. */
  public String shard() {
    return shard;
  }

  /** The byte offset of the record (its length field) within the shard. */
  public long offset() {
    return offset;
  }
}
