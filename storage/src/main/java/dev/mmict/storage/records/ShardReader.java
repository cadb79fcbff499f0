package dev.mmict.storage.records;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Reads a shard front to back, checking every record, for tools that scan a whole shard
 * (deep verification, dumping); {@link PackedDataset} reads single records through the index.
 */
public final class ShardReader {

  /** Receives each record of a shard in order. */
  @FunctionalInterface
  public interface RecordVisitor {
    /**
     * @param offset byte offset of the record within the shard
     * @param data the record's data (a serialised {@code SampleRecord} in a pack)
     */
    void visit(long offset, byte[] data);
  }

  private ShardReader() {}

  /**
   * Visits every record of {@code shard} in order and returns how many there were.
   *
   * @throws CorruptRecordException at the first record that fails its checks, including bytes
   *     after the last whole record (a truncated shard)
   */
  public static long scan(Path shard, RecordVisitor visitor) throws IOException {
    String name = shard.getFileName().toString();
    try (FileChannel channel = FileChannel.open(shard, StandardOpenOption.READ)) {
      long size = channel.size();
      long offset = 0;
      long records = 0;
      while (offset < size) {
        byte[] data = RecordFraming.readAt(channel, name, offset);
        visitor.visit(offset, data);
        offset += RecordFraming.framedSize(data.length);
        records++;
      }
      return records;
    }
  }
}
