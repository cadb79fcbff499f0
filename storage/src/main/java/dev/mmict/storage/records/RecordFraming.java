package dev.mmict.storage.records;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;

/**
 * The TFRecord-style framing of one record in a shard: {@code uint64 length (LE)}, {@code uint32
 * masked CRC32C of those 8 bytes (LE)}, {@code length} bytes of data, {@code uint32 masked CRC32C
 * of the data (LE)}. The mask (rotate right by 15 bits, add 0xa282ead8) is TFRecord's (from
 * LevelDB, meant for data that embeds CRCs of its own), so TFRecord tools can scan a shard.
 */
public final class RecordFraming {

  /** Bytes before the data: the length and its masked CRC. */
  public static final int HEADER_BYTES = 12;
  /** Bytes after the data: its masked CRC. */
  public static final int FOOTER_BYTES = 4;
  /** Added to the rotated CRC. */
  static final int MASK_DELTA = 0xa282ead8;
  /** Largest data length a reader accepts (a Java array, less a little headroom). */
  static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 64;

  private RecordFraming() {}

  /** CRC32C (Castagnoli) of {@code len} bytes of {@code bytes} from {@code off}. */
  public static int crc32c(byte[] bytes, int off, int len) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, off, len);
    return (int) crc.getValue();
  }

  /** TFRecord's mask of a CRC: rotated right by 15 bits, plus 0xa282ead8 (mod 2^32). */
  public static int mask(int crc) {
    return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
  }

  /** The inverse of {@link #mask}. */
  public static int unmask(int masked) {
    int rotated = masked - MASK_DELTA;
    return (rotated >>> 17) | (rotated << 15);
  }

  /** The masked CRC32C of {@code len} bytes of {@code bytes} from {@code off}. */
  public static int maskedCrc32c(byte[] bytes, int off, int len) {
    return mask(crc32c(bytes, off, len));
  }

  /** Bytes one record of {@code dataLength} data bytes occupies in a shard. */
  public static long framedSize(long dataLength) {
    return HEADER_BYTES + dataLength + FOOTER_BYTES;
  }

  /** The 12 header bytes of a record of {@code dataLength} bytes. */
  public static byte[] header(long dataLength) {
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(0, dataLength);
    b.putInt(8, maskedCrc32c(b.array(), 0, 8));
    return b.array();
  }

  /** The 4 footer bytes of a record holding {@code data}. */
  public static byte[] footer(byte[] data) {
    ByteBuffer b = ByteBuffer.allocate(FOOTER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0, maskedCrc32c(data, 0, data.length));
    return b.array();
  }

  /**
   * Reads and checks the record starting at {@code offset} of {@code channel} and returns its
   * data.
   *
   * @param shard the shard's file name, for error messages
   * @throws CorruptRecordException if a CRC does not match or the record runs past the shard's
   *     end
   */
  public static byte[] readAt(FileChannel channel, String shard, long offset) {
    long size;
    try {
      size = channel.size();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot stat shard " + shard, e);
    }
    if (offset < 0 || offset + HEADER_BYTES > size) {
      throw new CorruptRecordException(shard, offset,
          "truncated: the 12-byte record header does not fit in the shard's " + size + " bytes");
    }
    ByteBuffer head = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    readFully(channel, head, offset, shard);
    long length = head.getLong(0);
    int storedLengthCrc = head.getInt(8);
    int lengthCrc = maskedCrc32c(head.array(), 0, 8);
    if (storedLengthCrc != lengthCrc) {
      throw new CorruptRecordException(shard, offset, String.format(
          "length CRC mismatch (stored 0x%08x, computed 0x%08x over length field %d)",
          storedLengthCrc, lengthCrc, length));
    }
    if (length < 0 || length > MAX_DATA_BYTES) {
      throw new CorruptRecordException(shard, offset, "implausible record length " + length);
    }
    long end = offset + framedSize(length);
    if (end > size) {
      throw new CorruptRecordException(shard, offset,
          "truncated: a record of " + length + " data bytes ends at byte " + end
              + " but the shard has " + size + " bytes");
    }
    ByteBuffer body = ByteBuffer.allocate((int) length + FOOTER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    readFully(channel, body, offset + HEADER_BYTES, shard);
    int storedDataCrc = body.getInt((int) length);
    int dataCrc = maskedCrc32c(body.array(), 0, (int) length);
    if (storedDataCrc != dataCrc) {
      throw new CorruptRecordException(shard, offset, String.format(
          "data CRC mismatch (stored 0x%08x, computed 0x%08x over %d data bytes)",
          storedDataCrc, dataCrc, length));
    }
    byte[] data = new byte[(int) length];
    System.arraycopy(body.array(), 0, data, 0, (int) length);
    return data;
  }

  /** Fills {@code buffer} from {@code position} with positioned (thread-safe) reads. */
  private static void readFully(FileChannel channel, ByteBuffer buffer, long position, String shard) {
    long start = position;
    try {
      while (buffer.hasRemaining()) {
        int n = channel.read(buffer, position);
        if (n < 0) {
          throw new EOFException("end of " + shard + " at byte " + position);
        }
        position += n;
      }
    } catch (EOFException e) {
      throw new CorruptRecordException(shard, start, "truncated: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read shard " + shard + " at byte " + start, e);
    }
  }
}
