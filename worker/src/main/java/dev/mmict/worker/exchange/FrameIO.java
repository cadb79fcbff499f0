package dev.mmict.worker.exchange;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import dev.mmict.protocol.v1.GradientChunk;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Reads length-delimited frames (a base-128 varint length, then that many bytes: the format of
 * protobuf's {@code writeDelimitedTo}) with a cap on the length, so a garbled length prefix
 * fails fast instead of allocating gigabytes; and writes gradient-chunk frames into (direct)
 * buffers, byte for byte what {@code writeDelimitedTo} would write.
 */
public final class FrameIO {

  /** The most bytes a frame's varint length prefix takes. */
  static final int MAX_PREFIX_BYTES = 5;

  private static final int CRC_TAG = (GradientChunk.PAYLOAD_CRC32C_FIELD_NUMBER << 3) | WireFormat.WIRETYPE_FIXED32;

  private FrameIO() {}

  /** Room {@link #writeFrame(OutgoingChunk, ByteBuffer)} needs for {@code chunk}'s frame. */
  static long frameCapacity(OutgoingChunk chunk) {
    return MAX_PREFIX_BYTES + (long) chunk.bodyBytesBeforeCrc() + 1 + 4;
  }

  /**
   * Writes {@code chunk} as one length-delimited frame into {@code frame} (cleared, at least
   * {@link #frameCapacity} bytes), encoding the payload in place and computing its CRC-32C
   * there; afterwards the frame lies between the buffer's position and limit. The bytes equal
   * {@code writeDelimitedTo} of the whole chunk: fields 1 to 9, the payload, its CRC (fields in
   * number order, empty payload and zero CRC left out as protobuf does).
   */
  static void writeFrame(OutgoingChunk chunk, ByteBuffer frame) throws IOException {
    // The body starts after room for the longest prefix; the prefix is written last, right
    // before the body, once the CRC (whose field protobuf omits when it is 0) fixes the length.
    frame.position(MAX_PREFIX_BYTES);
    CodedOutputStream out = CodedOutputStream.newInstance(frame);
    chunk.header().writeTo(out);
    if (chunk.payloadBytes() > 0) {
      out.writeTag(GradientChunk.PAYLOAD_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(chunk.payloadBytes());
    }
    out.flush(); // moves frame's position past what was written
    int crc = chunk.encodePayload(frame);
    if (crc != 0) {
      frame.put((byte) CRC_TAG);
      frame.put((byte) crc).put((byte) (crc >>> 8)).put((byte) (crc >>> 16)).put((byte) (crc >>> 24));
    }
    int end = frame.position();
    int bodyBytes = end - MAX_PREFIX_BYTES;
    int start = MAX_PREFIX_BYTES - CodedOutputStream.computeUInt32SizeNoTag(bodyBytes);
    CodedOutputStream prefix = CodedOutputStream.newInstance(frame.duplicate().clear().position(start));
    prefix.writeUInt32NoTag(bodyBytes);
    prefix.flush();
    frame.limit(end).position(start);
  }

  /** Room {@link #writeFrame(GradientChunk, ByteBuffer)} needs for {@code chunk}'s frame. */
  static long frameCapacity(GradientChunk chunk) {
    int size = chunk.getSerializedSize();
    return (long) CodedOutputStream.computeUInt32SizeNoTag(size) + size;
  }

  /**
   * Writes a whole chunk as one length-delimited frame into {@code frame} (cleared, at least
   * {@link #frameCapacity(GradientChunk)} bytes); the frame then lies between position and limit.
   */
  static void writeFrame(GradientChunk chunk, ByteBuffer frame) throws IOException {
    CodedOutputStream out = CodedOutputStream.newInstance(frame);
    out.writeUInt32NoTag(chunk.getSerializedSize());
    chunk.writeTo(out);
    out.flush();
    frame.flip();
  }

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

  /**
   * Parses a gradient chunk from {@code frame}'s remaining bytes (heap or direct); its payload is
   * a view of {@code frame}, not a copy, so the buffer must not change while the chunk is in use.
   */
  public static GradientChunk parseChunk(ByteBuffer frame) throws IOException {
    // A wrapped buffer counts as immutable, which is what lets the decoder alias the payload.
    CodedInputStream input = UnsafeByteOperations.unsafeWrap(frame).newCodedInput();
    input.enableAliasing(true);
    return GradientChunk.parseFrom(input);
  }

  /** Parses a gradient chunk; its payload shares {@code frame} (which must not change after). */
  public static GradientChunk parseChunk(byte[] frame) throws IOException {
    CodedInputStream input = CodedInputStream.newInstance(frame);
    input.enableAliasing(true); // the payload ByteString points into frame instead of copying
    return GradientChunk.parseFrom(input);
  }
}
