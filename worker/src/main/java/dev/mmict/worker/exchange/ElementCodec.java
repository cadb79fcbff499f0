package dev.mmict.worker.exchange;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.mmict.protocol.v1.ElementEncoding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Packs slices of gradient vectors into chunk payloads and back (little-endian, dense), and
 * computes the payload CRC-32C. FP16 and BF16 round to nearest even and are lossy.
 */
public final class ElementCodec {

  private ElementCodec() {}

  /**
   * A payload's bytes in place, heap or direct: {@code buffer}'s bytes from its position to its
   * limit, little-endian. Must not be modified.
   *
   * @param buffer the bytes (its position and limit are not changed by these methods)
   */
  public record Bytes(ByteBuffer buffer) {

    /** Views {@code buffer}'s remaining bytes as little-endian elements. */
    public Bytes {
      buffer = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Number of bytes. */
    public int length() {
      return buffer.remaining();
    }

    /** FP32 element {@code i}. */
    public float fp32(int i) {
      return buffer.getFloat(4 * i);
    }

    /** 16-bit element {@code i} (FP16 or BF16 bits). */
    public short bits16(int i) {
      return buffer.getShort(2 * i);
    }

    /** FIXED64 element {@code i}. */
    public long fixed64(int i) {
      return buffer.getLong(8 * i);
    }

    /** Element {@code i} of a float encoding, decoded. */
    public float floatAt(int i, ElementEncoding encoding) {
      switch (encoding) {
        case ELEMENT_ENCODING_FP32:
          return fp32(i);
        case ELEMENT_ENCODING_FP16:
          return HalfFloats.fromFp16(bits16(i));
        case ELEMENT_ENCODING_BF16:
          return HalfFloats.fromBf16(bits16(i));
        default:
          throw new IllegalArgumentException("payload encoding " + encoding + " holds no floats");
      }
    }

    /** Copies FP32 elements {@code [0, count)} into {@code target[at ..)} (one bulk copy). */
    public void fp32s(float[] target, int at, int count) {
      checkCount(count, 4);
      buffer.asFloatBuffer().get(0, target, at, count);
    }

    /** Copies FIXED64 elements {@code [0, count)} into {@code target[at ..)} (one bulk copy). */
    public void fixed64s(long[] target, int at, int count) {
      checkCount(count, 8);
      buffer.asLongBuffer().get(0, target, at, count);
    }

    private void checkCount(int count, int width) {
      if (count < 0 || (long) count * width > length()) {
        throw new IndexOutOfBoundsException(count + " elements of " + width + " bytes do not fit a payload of "
            + length() + " bytes");
      }
    }

    /** CRC-32C of these bytes. */
    public int crc32c() {
      return ElementCodec.crc32c(buffer);
    }
  }

  /**
   * The payload's bytes without copying when it is one flat piece, an array or a (direct) buffer
   * (what the TCP reader and the encoders produce), else a copy.
   */
  public static Bytes bytes(ByteString payload) {
    FlatCapture capture = new FlatCapture();
    try {
      // unsafeWriteTo hands over the backing array or buffer instead of copying it.
      UnsafeByteOperations.unsafeWriteTo(payload, capture);
    } catch (IOException e) {
      throw new UncheckedIOException("capturing bytes cannot fail", e);
    }
    if (capture.pieces == 1 && capture.array != null) {
      return new Bytes(ByteBuffer.wrap(capture.array, capture.offset, capture.length));
    }
    if (capture.pieces == 1 && capture.buffer != null && capture.buffer.remaining() == payload.size()) {
      return new Bytes(capture.buffer);
    }
    return new Bytes(ByteBuffer.wrap(payload.toByteArray()));
  }

  /**
   * CRC-32C of {@code buffer}'s remaining bytes (its position does not move): the intrinsic works
   * on direct buffers and on heap buffers with an accessible array alike.
   */
  public static int crc32c(ByteBuffer buffer) {
    CRC32C crc = new CRC32C();
    crc.update(buffer.duplicate());
    return (int) crc.getValue();
  }

  /** Bytes per element of {@code encoding}. */
  public static int width(ElementEncoding encoding) {
    switch (encoding) {
      case ELEMENT_ENCODING_FP32:
        return 4;
      case ELEMENT_ENCODING_FP16:
      case ELEMENT_ENCODING_BF16:
        return 2;
      case ELEMENT_ENCODING_FIXED64:
        return 8;
      default:
        throw new IllegalArgumentException("no element width for encoding " + encoding);
    }
  }

  /** Whether a float encoded in {@code encoding} may come back different. */
  public static boolean lossy(ElementEncoding encoding) {
    return encoding == ElementEncoding.ELEMENT_ENCODING_FP16
        || encoding == ElementEncoding.ELEMENT_ENCODING_BF16;
  }

  /** Encodes {@code values[from .. from+count)} as FP32, FP16 or BF16. */
  public static ByteString encodeFloats(float[] values, int from, int count, ElementEncoding encoding) {
    ByteBuffer bytes = ByteBuffer.allocate(count * width(encoding));
    encodeFloatsInto(values, from, count, encoding, bytes);
    // The array is never touched again, so the ByteString may share it instead of copying.
    return UnsafeByteOperations.unsafeWrap(bytes.array());
  }

  /**
   * Encodes {@code values[from .. from+count)} as FP32, FP16 or BF16 into {@code target} at its
   * position (little-endian whatever the buffer's order), advancing it.
   */
  public static void encodeFloatsInto(
      float[] values, int from, int count, ElementEncoding encoding, ByteBuffer target) {
    ByteBuffer out = target.order() == ByteOrder.LITTLE_ENDIAN ? target : target.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    int at = target.position();
    switch (encoding) {
      case ELEMENT_ENCODING_FP32:
        out.asFloatBuffer().put(values, from, count); // a bulk copy, also into a direct buffer
        break;
      case ELEMENT_ENCODING_FP16:
        for (int i = 0; i < count; i++) {
          out.putShort(at + 2 * i, HalfFloats.toFp16(values[from + i]));
        }
        break;
      case ELEMENT_ENCODING_BF16:
        for (int i = 0; i < count; i++) {
          out.putShort(at + 2 * i, HalfFloats.toBf16(values[from + i]));
        }
        break;
      default:
        throw new IllegalArgumentException("floats cannot be encoded as " + encoding);
    }
    target.position(at + count * width(encoding));
  }

  /** Encodes {@code values[from .. from+count)} as FIXED64. */
  public static ByteString encodeFixed(long[] values, int from, int count) {
    ByteBuffer bytes = ByteBuffer.allocate(count * 8);
    encodeFixedInto(values, from, count, bytes);
    return UnsafeByteOperations.unsafeWrap(bytes.array());
  }

  /** Encodes {@code values[from .. from+count)} as FIXED64 into {@code target}, advancing it. */
  public static void encodeFixedInto(long[] values, int from, int count, ByteBuffer target) {
    ByteBuffer out = target.order() == ByteOrder.LITTLE_ENDIAN ? target : target.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    out.asLongBuffer().put(values, from, count);
    target.position(target.position() + count * 8);
  }

  /** What a float reads as after a trip through {@code encoding}. */
  public static float roundTrip(float value, ElementEncoding encoding) {
    switch (encoding) {
      case ELEMENT_ENCODING_FP32:
        return value;
      case ELEMENT_ENCODING_FP16:
        return HalfFloats.fromFp16(HalfFloats.toFp16(value));
      case ELEMENT_ENCODING_BF16:
        return HalfFloats.fromBf16(HalfFloats.toBf16(value));
      default:
        throw new IllegalArgumentException("payload encoding " + encoding + " holds no floats");
    }
  }

  /** CRC-32C of the payload bytes, read in place. */
  public static int crc32c(ByteString payload) {
    return bytes(payload).crc32c();
  }

  /** Records the array or buffer of a single flat piece; counts pieces so ropes fall back to a copy. */
  private static final class FlatCapture extends ByteOutput {
    private int pieces;
    private byte[] array;
    private int offset;
    private int length;
    private ByteBuffer buffer;

    private void piece(byte[] value, int off, int len) {
      pieces++;
      array = value;
      offset = off;
      length = len;
    }

    @Override
    public void write(byte value) {
      pieces += 2; // not a flat array piece: force the copy
    }

    @Override
    public void write(byte[] value, int off, int len) {
      piece(value, off, len);
    }

    @Override
    public void writeLazy(byte[] value, int off, int len) {
      piece(value, off, len);
    }

    @Override
    public void write(ByteBuffer value) {
      pieces += 2; // may be a transient buffer: force the copy
    }

    @Override
    public void writeLazy(ByteBuffer value) {
      pieces++;
      buffer = value;
    }
  }
}
