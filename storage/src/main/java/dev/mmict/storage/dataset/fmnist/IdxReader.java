package dev.mmict.storage.dataset.fmnist;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads IDX files (the MNIST format): a big-endian magic number 0x000008DD (0x08: unsigned
 * bytes, DD: the number of dimensions, e.g. 0x00000803 for images, 0x00000801 for labels), DD
 * big-endian int sizes, then the values. Gzip-compressed files are recognised by their content.
 */
public final class IdxReader {

  private static final int UNSIGNED_BYTE = 0x08;

  private IdxReader() {}

  /** Reads {@code file}, raw or gzip; errors name the file and what is wrong. */
  public static IdxFile read(Path file) throws IOException {
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      raw.mark(2);
      int b0 = raw.read();
      int b1 = raw.read();
      raw.reset();
      boolean gzip = b0 == 0x1f && b1 == 0x8b;
      try (InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw) {
        return read(in, file.toString());
      }
    }
  }

  /** Reads an uncompressed IDX stream; {@code name} appears in error messages. */
  public static IdxFile read(InputStream stream, String name) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    int magic;
    try {
      magic = in.readInt();
    } catch (EOFException e) {
      throw new IOException(name + ": too short for an IDX header", e);
    }
    int type = (magic >>> 8) & 0xFF;
    int rank = magic & 0xFF;
    if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE || rank < 1 || rank > 4) {
      throw new IOException(String.format(
          "%s: not an unsigned-byte IDX file (magic 0x%08X; expected 0x0000080N, N = 1..4)",
          name, magic));
    }
    int[] dims = new int[rank];
    long total = 1;
    for (int i = 0; i < rank; i++) {
      dims[i] = in.readInt();
      if (dims[i] < 0) {
        throw new IOException(name + ": dimension " + i + " is negative (" + dims[i] + ")");
      }
      total *= dims[i];
    }
    if (total > Integer.MAX_VALUE - 16) {
      throw new IOException(name + ": " + total + " values are too many for one array");
    }
    byte[] data = new byte[(int) total];
    try {
      in.readFully(data);
    } catch (EOFException e) {
      throw new IOException(name + ": truncated, expected " + total + " values after the header", e);
    }
    if (in.read() != -1) {
      throw new IOException(name + ": trailing bytes after " + total + " values");
    }
    return new IdxFile(dims, data);
  }
}
