package dev.mmict.worker.exchange;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * Reads length-delimited frames from a blocking channel, each whole into a pooled buffer of its
 * own, with no copy beyond the kernel's. Each read asks for a few bytes past the frame
 * ({@value #PEEK} bytes, enough for the next length prefix), so a stream of back-to-back frames
 * costs about one system call less per frame; those bytes are carried over to the next frame.
 * Not thread-safe: one reader per channel.
 */
final class ChannelFrameReader {

  /** Bytes read past a frame's end in the same system call. */
  static final int PEEK = FrameIO.MAX_PREFIX_BYTES;

  private final ReadableByteChannel channel;
  private final BufferPool pool;
  private final int maxFrameBytes;
  // Bytes already read that belong to the next frame(s): at most a prefix plus a peek.
  private final byte[] carry = new byte[2 * PEEK + FrameIO.MAX_PREFIX_BYTES];
  private int carried;
  private final ByteBuffer prefixRead = ByteBuffer.allocateDirect(FrameIO.MAX_PREFIX_BYTES);

  ChannelFrameReader(ReadableByteChannel channel, BufferPool pool, int maxFrameBytes) {
    this.channel = channel;
    this.pool = pool;
    this.maxFrameBytes = maxFrameBytes;
  }

  /**
   * The next frame's bytes in a buffer from the pool (position 0, limit the frame's length; the
   * caller releases it to the pool), or null at a clean end of stream before a frame starts.
   *
   * @throws IOException on a length above the maximum, a malformed length or a stream that ends
   *     inside a frame (no buffer stays taken from the pool then)
   */
  ByteBuffer next() throws IOException {
    long length;
    int prefixBytes;
    while (true) {
      long[] decoded = decodePrefix();
      if (decoded != null) {
        length = decoded[0];
        prefixBytes = (int) decoded[1];
        break;
      }
      prefixRead.clear().limit(FrameIO.MAX_PREFIX_BYTES - carried);
      int got = channel.read(prefixRead);
      if (got < 0) {
        if (carried == 0) {
          return null;
        }
        throw new EOFException("stream ended inside a frame's length prefix (" + carried + " bytes of it read)");
      }
      prefixRead.flip().get(carry, carried, got);
      carried += got;
    }
    if (length > maxFrameBytes) {
      throw new IOException("frame length " + length + " outside [0, " + maxFrameBytes + "]: garbled stream");
    }
    int frameBytes = (int) length;
    ByteBuffer frame = pool.acquire(frameBytes + PEEK);
    boolean done = false;
    try {
      int have = Math.min(carried - prefixBytes, frameBytes);
      frame.put(carry, prefixBytes, have);
      int rest = carried - prefixBytes - have; // bytes of later frames, only with tiny frames
      System.arraycopy(carry, prefixBytes + have, carry, 0, rest);
      carried = rest;
      if (frame.position() < frameBytes) {
        frame.limit(frameBytes + PEEK);
        while (frame.position() < frameBytes) {
          if (channel.read(frame) < 0) {
            throw new EOFException("stream ended " + frame.position() + " bytes into a frame of " + frameBytes);
          }
        }
        int extra = frame.position() - frameBytes;
        frame.get(frameBytes, carry, 0, extra);
        carried = extra;
      }
      frame.limit(frameBytes).position(0);
      done = true;
      return frame;
    } finally {
      if (!done) {
        pool.release(frame);
      }
    }
  }

  /** {length, prefix bytes} from the carried bytes, or null if the prefix is not complete yet. */
  private long[] decodePrefix() throws IOException {
    long value = 0;
    for (int i = 0; i < carried; i++) {
      int b = carry[i] & 0xff;
      value |= (long) (b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) {
        return new long[] {value, i + 1};
      }
      if (i + 1 == FrameIO.MAX_PREFIX_BYTES) {
        throw new IOException("malformed frame length: more than " + FrameIO.MAX_PREFIX_BYTES + " varint bytes (garbled stream)");
      }
    }
    return null;
  }
}
