package dev.mmict.storage.cache;

import dev.mmict.storage.records.RecordFraming;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The index of one cache shard ({@code features-NNNNN.idx}), little-endian: magic
 * {@code MMICTFCI}, {@code uint32} version 1, {@code uint32} entry count, then per record in shard
 * order {@code uint64} offset, {@code uint16} key length and the key in UTF-8; last a {@code uint32}
 * masked CRC32C of every byte before it. Rewritten whole (atomically) at each commit of its shard.
 */
final class ShardIndexFile {
  static final byte[] MAGIC = "MMICTFCI".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;

  private ShardIndexFile() {}

  /** One record of the shard: its key and the byte offset of its framing. */
  record Entry(String key, long offset) {}

  /** The bytes of an index over {@code entries}. */
  static byte[] encode(List<Entry> entries) {
    List<byte[]> keys = new ArrayList<>(entries.size());
    int size = MAGIC.length + 8 + 4;
    for (Entry e : entries) {
      byte[] k = FeatureRecord.keyBytes(e.key());
      keys.add(k);
      size += 8 + 2 + k.length;
    }
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).putInt(VERSION).putInt(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      b.putLong(entries.get(i).offset()).putShort((short) keys.get(i).length).put(keys.get(i));
    }
    b.putInt(RecordFraming.maskedCrc32c(b.array(), 0, size - 4));
    return b.array();
  }

  /**
   * Reads and checks an index file.
   *
   * @param expected the record count the manifest gives the shard
   * @param committedBytes the shard's committed length: every offset must lie below it
   * @throws IOException naming the file and the failed check (unreadable, bad magic, version, CRC,
   *     count or offset)
   */
  static List<Entry> read(Path file, int expected, long committedBytes) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    String name = file.getFileName().toString();
    int head = MAGIC.length + 8;
    if (bytes.length < head + 4) {
      throw new IOException(name + ": " + bytes.length + " bytes is too short for an index");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int stored = b.getInt(bytes.length - 4);
    int computed = RecordFraming.maskedCrc32c(bytes, 0, bytes.length - 4);
    if (stored != computed) {
      throw new IOException(String.format("%s: CRC mismatch (stored 0x%08x, computed 0x%08x)", name, stored,
          computed));
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes[i] != MAGIC[i]) {
        throw new IOException(name + ": not a feature-cache index (bad magic)");
      }
    }
    b.position(MAGIC.length);
    int version = b.getInt();
    int count = b.getInt();
    if (version != VERSION) {
      throw new IOException(name + ": index version " + version + ", this build reads " + VERSION);
    }
    if (count != expected) {
      throw new IOException(name + ": " + count + " entries but the manifest says " + expected + " records");
    }
    List<Entry> entries = new ArrayList<>(count);
    long previous = -1;
    for (int i = 0; i < count; i++) {
      if (b.position() + 10 > bytes.length - 4) {
        throw new IOException(name + ": entry " + i + " runs past the end");
      }
      long offset = b.getLong();
      int keyLength = Short.toUnsignedInt(b.getShort());
      if (b.position() + keyLength > bytes.length - 4) {
        throw new IOException(name + ": key of entry " + i + " runs past the end");
      }
      if (offset <= previous || offset >= committedBytes) {
        throw new IOException(name + ": entry " + i + " has offset " + offset + " (previous " + previous
            + ", committed shard bytes " + committedBytes + ")");
      }
      String key = new String(bytes, b.position(), keyLength, StandardCharsets.UTF_8);
      b.position(b.position() + keyLength);
      entries.add(new Entry(key, offset));
      previous = offset;
    }
    if (b.position() != bytes.length - 4) {
      throw new IOException(name + ": " + (bytes.length - 4 - b.position()) + " stray bytes after the entries");
    }
    return entries;
  }
}
