package dev.mmict.storage.records;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * Appends framed records to one new shard file, counting its bytes and hashing them as they go,
 * and fsyncs it when finished.
 */
final class ShardWriter implements Closeable {

  private final Path file;
  private final FileOutputStream fileOut;
  private final BufferedOutputStream out;
  private final MessageDigest sha256 = Digests.sha256();
  private long bytes;
  private int records;
  private boolean finished;

  ShardWriter(Path file) throws IOException {
    this.file = file;
    this.fileOut = new FileOutputStream(file.toFile());
    this.out = new BufferedOutputStream(fileOut, 1 << 20);
  }

  /** Appends one record and returns the byte offset of its first byte. */
  long append(byte[] data) throws IOException {
    long offset = bytes;
    write(RecordFraming.header(data.length));
    write(data);
    write(RecordFraming.footer(data));
    records++;
    return offset;
  }

  private void write(byte[] b) throws IOException {
    out.write(b);
    sha256.update(b);
    bytes += b.length;
  }

  /** Bytes written so far. */
  long bytes() {
    return bytes;
  }

  /** Records written so far. */
  int records() {
    return records;
  }

  Path file() {
    return file;
  }

  /** Flushes, fsyncs and closes the file; returns the sha256 (hex) of its contents. */
  String finish() throws IOException {
    out.flush();
    fileOut.getChannel().force(true);
    out.close();
    finished = true;
    return Digests.hex(sha256.digest());
  }

  /** Closes without syncing (after a failure; the file is deleted with its directory). */
  @Override
  public void close() throws IOException {
    if (!finished) {
      out.close();
    }
  }
}
