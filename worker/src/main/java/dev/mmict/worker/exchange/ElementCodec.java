package dev.mmict.worker.exchange;

import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.mmict.protocol.v1.ElementEncoding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * Packs slices of gradient vectors into chunk payloads and back (little-endian, dense), and
 * computes the payload CRC-32C. FP16 and BF16 round to nearest even and are lossy.
 */
public final class ElementCodec {

  private static final VarHandle FLOAT_LE =
      MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle SHORT_LE =
      MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

  private ElementCodec() {}

  /**
   * A payload's bytes in place: {@code array[offset .. offset+length)}. Must not be modified.
   *
   * @param array the backing array
   * @param offset first byte
   * @param length number of bytes
   */
  public record Bytes(byte[] array, int offset, int length) {

    /** FP32 element {@code i}. */
    public float fp32(int i) {
      return (float) FLOAT_LE.get(array, offset + 4 * i);
    }

    /** 16-bit element {@code i} (FP16 or BF16 bits). */
    public short bits16(int i) {
      return (short) SHORT_LE.get(array, offset + 2 * i);
    }

    /** FIXED64 element {@code i}. */
    public long fixed64(int i) {
      return (long) LONG_LE.get(array, offset + 8 * i);
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
      ByteBuffer.wrap(array, offset, length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(target, at, count);
    }

    /** Copies FIXED64 elements {@code [0, count)} into {@code target[at ..)} (one bulk copy). */
    public void fixed64s(long[] target, int at, int count) {
      checkCount(count, 8);
      ByteBuffer.wrap(array, offset, length).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(target, at, count);
    }

    private void checkCount(int count, int width) {
      if (count < 0 || (long) count * width > length) {
        throw new IndexOutOfBoundsException(count + " elements of " + width + " bytes do not fit a payload of "
            + length + " bytes");
      }
    }

    /** CRC-32C of these bytes. */
    public int crc32c() {
      CRC32C crc = new CRC32C();
      crc.update(array, offset, length);
      return (int) crc.getValue();
    }
  }

  /**
   * The payload's bytes without copying when it is one flat piece (what the TCP reader and the
   * encoders produce), else a copy.
   */
  public static Bytes bytes(ByteString payload) {
    FlatCapture capture = new FlatCapture();
    try {
      // unsafeWriteTo hands over the backing array(s) instead of copying them.
      UnsafeByteOperations.unsafeWriteTo(payload, capture);
    } catch (IOException e) {
      throw new UncheckedIOException("capturing bytes cannot fail", e);
    }
    if (capture.pieces == 1 && capture.array != null) {
      return new Bytes(capture.array, capture.offset, capture.length);
    }
    byte[] copy = payload.toByteArray();
    return new Bytes(copy, 0, copy.length);
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
    byte[] bytes = new byte[count * width(encoding)];
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    switch (encoding) {
      case ELEMENT_ENCODING_FP32:
        buffer.asFloatBuffer().put(values, from, count);
        break;
      case ELEMENT_ENCODING_FP16:
        for (int i = 0; i < count; i++) {
          buffer.putShort(2 * i, HalfFloats.toFp16(values[from + i]));
        }
        break;
      case ELEMENT_ENCODING_BF16:
        for (int i = 0; i < count; i++) {
          buffer.putShort(2 * i, HalfFloats.toBf16(values[from + i]));
        }
        break;
      default:
        throw new IllegalArgumentException("floats cannot be encoded as " + encoding);
    }
    // The array is never touched again, so the ByteString may share it instead of copying.
    return UnsafeByteOperations.unsafeWrap(bytes);
  }

  /** Encodes {@code values[from .. from+count)} as FIXED64. */
  public static ByteString encodeFixed(long[] values, int from, int count) {
    byte[] bytes = new byte[count * 8];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().put(values, from, count);
    return UnsafeByteOperations.unsafeWrap(bytes);
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

  /** Records the array of a single flat piece; counts pieces so ropes fall back to a copy. */
  private static final class FlatCapture extends ByteOutput {
    private int pieces;
    private byte[] array;
    private int offset;
    private int length;

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
      pieces += 2;
    }

    @Override
    public void writeLazy(ByteBuffer value) {
      pieces += 2;
    }
  }
}
