package dev.mmict.storage.records;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The memory-mapped index of one split: where each sample's record lies, its id, whether it is
 * queryable and its group, so that {@code id}, {@code isQueryable} and {@code groupIndices} read
 * no record. Little-endian; layout:
 *
 * <pre>
 * header   32 B  "MMICTIDX", u32 version (1), u32 N samples, u32 M group members, u32 0,
 *                u64 total id bytes
 * entries  N × 40 B, by sample index: u64 record offset, u32 shard number, u32 data length,
 *                u32 id offset, u32 id length, u32 group offset, u32 group size, u32 flags
 *                (bit 0 queryable, bit 1 has a group), u32 0
 * by id    N × u32: sample indices sorted by id (unsigned UTF-8 bytes), for binary search
 * members  M × u32: the ascending sample indices of each group of two or more, one run per group
 * ids      the UTF-8 ids, concatenated in sample order
 * </pre>
 *
 * A sample whose group size is 1 has no run in members: its group is itself.
 */
final class SplitIndex {

  static final byte[] MAGIC = "MMICTIDX".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  static final int HEADER_BYTES = 32;
  static final int ENTRY_BYTES = 40;
  static final int FLAG_QUERYABLE = 1;
  static final int FLAG_GROUPED = 2;

  private final String file;
  private final ByteBuffer buffer;
  private final int count;
  private final int memberCount;
  private final int byIdStart;
  private final int membersStart;
  private final int idsStart;

  private SplitIndex(String file, ByteBuffer buffer, int count, int memberCount, long idBytes) {
    this.file = file;
    this.buffer = buffer;
    this.count = count;
    this.memberCount = memberCount;
    this.byIdStart = HEADER_BYTES + count * ENTRY_BYTES;
    this.membersStart = byIdStart + count * 4;
    this.idsStart = membersStart + memberCount * 4;
  }

  /**
   * Maps {@code path} and checks its header against the expected sample count and its own size.
   *
   * @throws InvalidPackException naming the file if the header is wrong
   */
  static SplitIndex open(Path path, int expectedCount) throws IOException {
    String name = path.getFileName().toString();
    ByteBuffer buffer;
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size > Integer.MAX_VALUE) {
        throw new InvalidPackException(name, "index larger than 2 GiB (" + size + " bytes)");
      }
      if (size < HEADER_BYTES) {
        throw new InvalidPackException(name, "only " + size + " bytes, shorter than the header");
      }
      buffer = channel.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
    }
    byte[] magic = new byte[MAGIC.length];
    buffer.get(0, magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new InvalidPackException(name, "does not start with MMICTIDX");
    }
    int version = buffer.getInt(8);
    if (version != VERSION) {
      throw new InvalidPackException(name, "index version " + version + ", this build reads " + VERSION);
    }
    int count = buffer.getInt(12);
    int members = buffer.getInt(16);
    long idBytes = buffer.getLong(24);
    if (count != expectedCount) {
      throw new InvalidPackException(name, "holds " + count + " samples, the manifest says " + expectedCount);
    }
    long expectedSize = HEADER_BYTES + (long) count * (ENTRY_BYTES + 4) + 4L * members + idBytes;
    if (members < 0 || idBytes < 0 || expectedSize != buffer.capacity()) {
      throw new InvalidPackException(name, "header describes " + expectedSize
          + " bytes (" + count + " samples, " + members + " group members, " + idBytes
          + " id bytes) but the file has " + buffer.capacity());
    }
    return new SplitIndex(name, buffer, count, members, idBytes);
  }

  int count() {
    return count;
  }

  private int entry(int index) {
    return HEADER_BYTES + index * ENTRY_BYTES;
  }

  long offset(int index) {
    return buffer.getLong(entry(index));
  }

  int shard(int index) {
    return buffer.getInt(entry(index) + 8);
  }

  int length(int index) {
    return buffer.getInt(entry(index) + 12);
  }

  boolean queryable(int index) {
    return (buffer.getInt(entry(index) + 32) & FLAG_QUERYABLE) != 0;
  }

  String id(int index) {
    return new String(idBytes(index), StandardCharsets.UTF_8);
  }

  private byte[] idBytes(int index) {
    int e = entry(index);
    int offset = buffer.getInt(e + 16);
    int length = buffer.getInt(e + 20);
    if (offset < 0 || length < 0 || idsStart + (long) offset + length > buffer.capacity()) {
      throw new InvalidPackException(file, "entry " + index + " points its id outside the file");
    }
    byte[] id = new byte[length];
    buffer.get(idsStart + offset, id);
    return id;
  }

  int[] groupIndices(int index) {
    int e = entry(index);
    int offset = buffer.getInt(e + 24);
    int size = buffer.getInt(e + 28);
    if (size == 1) {
      return new int[] {index};
    }
    if (size < 1 || offset < 0 || (long) offset + size > memberCount) {
      throw new InvalidPackException(file, "entry " + index + " has group run [" + offset + ", +"
          + size + ") outside the " + memberCount + " members");
    }
    int[] out = new int[size];
    for (int k = 0; k < size; k++) {
      out[k] = buffer.getInt(membersStart + 4 * (offset + k));
    }
    return out;
  }

  /** The index of the sample with {@code id}, or -1. */
  int find(String id) {
    byte[] key = id.getBytes(StandardCharsets.UTF_8);
    int lo = 0;
    int hi = count - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int index = buffer.getInt(byIdStart + 4 * mid);
      if (index < 0 || index >= count) {
        throw new InvalidPackException(file, "by-id table holds sample index " + index);
      }
      int c = Arrays.compareUnsigned(idBytes(index), key);
      if (c == 0) {
        return index;
      } else if (c < 0) {
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return -1;
  }
}
