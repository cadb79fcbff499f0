package dev.mmict.worker.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.protocol.v1.ElementEncoding;
import dev.mmict.protocol.v1.ExchangePhase;
import dev.mmict.protocol.v1.GradientChunk;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** Frames written into (direct) buffers, read from channels and parsed in place. */
class FrameIOTest {

  /** The one 4-byte payload whose CRC-32C is 0 (solved by hand over GF(2), checked below). */
  private static final byte[] ZERO_CRC_PAYLOAD = {(byte) 171, (byte) 155, (byte) 224, (byte) 155};

  private static GradientChunk header(int count, ElementEncoding encoding) {
    return GradientChunk.newBuilder()
        .setStep(7).setPlanId(300).setSenderRank(2).setPhase(ExchangePhase.EXCHANGE_PHASE_REDUCE_SCATTER)
        .setChunkIndex(1).setTotalChunks(3).setElementOffset(1 << 20).setElementCount(count)
        .setEncoding(encoding).build();
  }

  private static OutgoingChunk floats(float[] values, ElementEncoding encoding) {
    return new OutgoingChunk(header(values.length, encoding), values.length * ElementCodec.width(encoding),
        target -> ElementCodec.encodeFloatsInto(values, 0, values.length, encoding, target));
  }

  private static OutgoingChunk raw(byte[] payload) {
    return new OutgoingChunk(header(payload.length / 4, ElementEncoding.ELEMENT_ENCODING_FP32), payload.length,
        target -> target.put(payload));
  }

  /** What protobuf itself writes for the whole chunk: the wire format every frame must keep. */
  private static byte[] delimited(GradientChunk chunk) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    chunk.writeDelimitedTo(out);
    return out.toByteArray();
  }

  private static byte[] remaining(ByteBuffer frame) {
    byte[] bytes = new byte[frame.remaining()];
    frame.duplicate().get(bytes);
    return bytes;
  }

  private static byte[] frameOf(OutgoingChunk chunk, boolean direct) throws IOException {
    int capacity = (int) FrameIO.frameCapacity(chunk);
    ByteBuffer frame = direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
    FrameIO.writeFrame(chunk, frame);
    return remaining(frame);
  }

  @Test
  void framesEncodedInPlaceAreByteForByteWhatProtobufWrites() throws IOException {
    CRC32C check = new CRC32C();
    check.update(ZERO_CRC_PAYLOAD);
    assertEquals(0, check.getValue(), "the test payload must have a zero CRC");
    Random random = new Random(5);
    float[] many = new float[70_000]; // a 280 000-byte payload: a 3-byte length inside a 3-byte prefix
    for (int i = 0; i < many.length; i++) {
      many[i] = (float) random.nextGaussian();
    }
    List<OutgoingChunk> chunks = List.of(
        floats(many, ElementEncoding.ELEMENT_ENCODING_FP32),
        floats(new float[] {1.5f, -2f, 3e-3f}, ElementEncoding.ELEMENT_ENCODING_BF16),
        floats(new float[0], ElementEncoding.ELEMENT_ENCODING_FP32), // no payload, no CRC field
        raw(ZERO_CRC_PAYLOAD)); // a payload but no CRC field: protobuf omits a zero fixed32
    for (OutgoingChunk chunk : chunks) {
      byte[] expected = delimited(chunk.toChunk());
      assertArrayEquals(expected, frameOf(chunk, true), "direct frame of " + chunk.payloadBytes() + " payload bytes");
      assertArrayEquals(expected, frameOf(chunk, false), "heap frame of " + chunk.payloadBytes() + " payload bytes");
      assertEquals(chunk.toChunk().getSerializedSize(), chunk.serializedSize());
      GradientChunk whole = chunk.toChunk();
      ByteBuffer viaWhole = ByteBuffer.allocateDirect((int) FrameIO.frameCapacity(whole));
      FrameIO.writeFrame(whole, viaWhole);
      assertArrayEquals(expected, remaining(viaWhole));
    }
    assertEquals(0, raw(ZERO_CRC_PAYLOAD).toChunk().getPayloadCrc32C());
  }

  @Test
  void aChunkParsedFromADirectBufferViewsItsPayloadInsteadOfCopyingIt() throws IOException {
    float[] values = {1f, 2f, 3f, 4f};
    OutgoingChunk out = floats(values, ElementEncoding.ELEMENT_ENCODING_FP32);
    ByteBuffer frame = ByteBuffer.allocateDirect((int) FrameIO.frameCapacity(out));
    FrameIO.writeFrame(out, frame);
    int prefix = frame.get(frame.position()) >= 0 ? 1 : 2;
    ByteBuffer body = frame.slice().position(prefix);
    GradientChunk chunk = FrameIO.parseChunk(body.slice());
    assertEquals(out.toChunk(), chunk);
    ElementCodec.Bytes payload = ElementCodec.bytes(chunk.getPayload());
    assertTrue(payload.buffer().isDirect(), "the payload should be a view of the direct frame buffer");
    assertEquals(3f, payload.fp32(2));
    // Changing the frame's bytes changes what the chunk reads: a view, not a copy.
    int lastFloatAt = frame.limit() - 5 - 4; // before the 5-byte CRC field
    frame.putFloat(lastFloatAt, 0f);
    assertEquals(0f, ElementCodec.bytes(chunk.getPayload()).fp32(3));
    assertEquals(1f, payload.fp32(0));
  }

  /** A channel over fixed bytes that hands out at most {@code piece} bytes per read. */
  private static ReadableByteChannel trickle(byte[] bytes, int piece) {
    return new ReadableByteChannel() {
      private int at;

      @Override
      public int read(ByteBuffer dst) {
        if (at == bytes.length) {
          return -1;
        }
        int n = Math.min(Math.min(piece, dst.remaining()), bytes.length - at);
        dst.put(bytes, at, n);
        at += n;
        return n;
      }

      @Override
      public boolean isOpen() {
        return true;
      }

      @Override
      public void close() {}
    };
  }

  @Test
  void backToBackFramesOfAnySizeAreReadWholeWhateverPiecesTheChannelDelivers() throws IOException {
    Random random = new Random(9);
    List<byte[]> bodies = new ArrayList<>();
    ByteArrayOutputStream stream = new ByteArrayOutputStream();
    for (int size : new int[] {0, 1, 2, 0, 300, 3, 20_000, 1, 0, 5, 129}) {
      byte[] body = new byte[size];
      random.nextBytes(body);
      bodies.add(body);
      com.google.protobuf.CodedOutputStream prefix = com.google.protobuf.CodedOutputStream.newInstance(stream);
      prefix.writeUInt32NoTag(size);
      prefix.flush();
      stream.write(body, 0, size);
    }
    byte[] bytes = stream.toByteArray();
    for (int piece : new int[] {1, 2, 3, 7, 1000, Integer.MAX_VALUE}) {
      BufferPool pool = new BufferPool(4);
      ChannelFrameReader reader = new ChannelFrameReader(trickle(bytes, piece), pool, 1 << 20);
      for (byte[] body : bodies) {
        ByteBuffer frame = reader.next();
        assertArrayEquals(body, remaining(frame), "pieces of " + piece);
        pool.release(frame);
      }
      assertNull(reader.next(), "a clean end of stream after the last frame");
      assertEquals(0, pool.outstanding());
    }
  }

  @Test
  void truncatedOrGarbledFramesFailWithoutKeepingAPoolBuffer() {
    BufferPool pool = new BufferPool(4);
    byte[] truncated = {5, 1, 2}; // says 5 bytes, carries 2
    EOFException cut = assertThrows(EOFException.class,
        () -> new ChannelFrameReader(trickle(truncated, 2), pool, 100).next());
    assertTrue(cut.getMessage().contains("2 bytes into a frame of 5"), cut.getMessage());
    assertEquals(0, pool.outstanding(), "the buffer of the truncated frame went back");
    assertEquals(1, pool.created());
    BufferPool unused = new BufferPool(4);
    byte[] huge = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f}; // ~268 M
    IOException tooLong = assertThrows(IOException.class,
        () -> new ChannelFrameReader(trickle(huge, 10), unused, 1 << 20).next());
    assertTrue(tooLong.getMessage().contains("garbled"), tooLong.getMessage());
    byte[] endless = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 1};
    IOException malformed = assertThrows(IOException.class,
        () -> new ChannelFrameReader(trickle(endless, 1), unused, 1 << 20).next());
    assertTrue(malformed.getMessage().contains("malformed"), malformed.getMessage());
    assertThrows(EOFException.class, () -> new ChannelFrameReader(trickle(new byte[] {(byte) 0x81}, 1), unused, 100).next());
    assertEquals(0, unused.created(), "no buffer is taken before the length is known and sane");
  }

  @Test
  void thePoolReusesReleasedBuffersAndKeepsOnlyOnesThatFitTheLargestFrame() {
    BufferPool pool = new BufferPool(2);
    ByteBuffer small = pool.acquire(100);
    assertEquals(4096, small.capacity());
    pool.release(small);
    assertTrue(small == pool.acquire(50), "a released buffer is handed out again");
    ByteBuffer big = pool.acquire(10_000); // 12 KiB, the new largest size
    assertEquals(12_288, big.capacity());
    pool.release(small); // now too small for the largest frame: dropped
    assertEquals(0, pool.idle());
    pool.release(big);
    ByteBuffer a = pool.acquire(1);
    ByteBuffer b = pool.acquire(1);
    ByteBuffer c = pool.acquire(1);
    assertTrue(a == big);
    assertEquals(12_288, b.capacity(), "new buffers take the largest size asked for so far");
    pool.release(a);
    pool.release(b);
    pool.release(c); // beyond maxIdle: left to the garbage collector
    assertEquals(2, pool.idle());
    assertEquals(4, pool.created());
    assertEquals(0, pool.outstanding());
  }
}
