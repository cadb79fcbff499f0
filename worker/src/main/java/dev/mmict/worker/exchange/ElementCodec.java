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

  /** The payload as a little-endian buffer positioned at 0 (shares the bytes, no copy). */
  public static ByteBuffer view(ByteString payload) {
    return payload.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Element {@code i} of a float-encoded payload view. */
  public static float floatAt(ByteBuffer view, int i, ElementEncoding encoding) {
    switch (encoding) {
      case ELEMENT_ENCODING_FP32:
        return view.getFloat(4 * i);
      case ELEMENT_ENCODING_FP16:
        return HalfFloats.fromFp16(view.getShort(2 * i));
      case ELEMENT_ENCODING_BF16:
        return HalfFloats.fromBf16(view.getShort(2 * i));
      default:
        throw new IllegalArgumentException("payload encoding " + encoding + " holds no floats");
    }
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
    CRC32C crc = new CRC32C();
    try {
      // unsafeWriteTo hands over the backing array(s) instead of copying them.
      UnsafeByteOperations.unsafeWriteTo(payload, new CrcOutput(crc));
    } catch (IOException e) {
      throw new UncheckedIOException("CRC output cannot fail", e);
    }
    return (int) crc.getValue();
  }

  /** A ByteOutput that only feeds a CRC. */
  private static final class CrcOutput extends ByteOutput {
    private final CRC32C crc;

    CrcOutput(CRC32C crc) {
      this.crc = crc;
    }

    @Override
    public void write(byte value) {
      crc.update(value);
    }

    @Override
    public void write(byte[] value, int offset, int length) {
      crc.update(value, offset, length);
    }

    @Override
    public void writeLazy(byte[] value, int offset, int length) {
      crc.update(value, offset, length);
    }

    @Override
    public void write(ByteBuffer value) {
      crc.update(value);
    }

    @Override
    public void writeLazy(ByteBuffer value) {
      crc.update(value);
    }
  }
}
