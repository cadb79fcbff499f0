package dev.mmict.worker.exchange;

import com.google.protobuf.CodedInputStream;
import dev.mmict.protocol.v1.GradientChunk;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * Reads length-delimited frames (a base-128 varint length, then that many bytes: the format of
 * protobuf's {@code writeDelimitedTo}) with a cap on the length, so a garbled length prefix
 * fails fast instead of allocating gigabytes.
 */
public final class FrameIO {

  private FrameIO() {}

  /**
   * The next frame's bytes, or empty at a clean end of stream (before a frame starts).
   *
   * @throws IOException on a length above {@code maxFrameBytes}, a malformed varint or a stream
   *     that ends inside a frame
   */
  public static Optional<byte[]> readFrame(InputStream in, int maxFrameBytes) throws IOException {
    int first = in.read();
    if (first < 0) {
      return Optional.empty();
    }
    int length = CodedInputStream.readRawVarint32(first, in);
    if (length < 0 || length > maxFrameBytes) {
      throw new IOException(
          "frame length " + Integer.toUnsignedString(length) + " outside [0, " + maxFrameBytes + "]: garbled stream");
    }
    byte[] frame = new byte[length];
    // readNBytes(byte[], ..) reads straight into the frame; readNBytes(int) would gather 8 KiB
    // pieces and copy them once more.
    int read = in.readNBytes(frame, 0, length);
    if (read != length) {
      throw new EOFException("stream ended " + read + " bytes into a frame of " + length);
    }
    return Optional.of(frame);
  }

  /** Parses a gradient chunk; its payload shares {@code frame} (which must not change after). */
  public static GradientChunk parseChunk(byte[] frame) throws IOException {
    CodedInputStream input = CodedInputStream.newInstance(frame);
    input.enableAliasing(true); // the payload ByteString points into frame instead of copying
    return GradientChunk.parseFrom(input);
  }
}
