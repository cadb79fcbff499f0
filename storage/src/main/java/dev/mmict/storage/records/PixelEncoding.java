package dev.mmict.storage.records;

import dev.mmict.storage.dataset.Frame;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * How a packed frame stores its pixel values: {@link #UINT8} (the default; real images are 8-bit,
 * so nothing is lost for them, at a quarter of the size) or {@link #FLOAT32} (exact floats, for
 * data that must round-trip bit for bit).
 */
public enum PixelEncoding {
  /** One byte per value: q = round(clamp(v, 0, 1)·255), read back as q / 255. */
  UINT8(1, dev.mmict.protocol.v1.PixelEncoding.PIXEL_ENCODING_UINT8),
  /** Four bytes per value, IEEE 754 binary32 little-endian: exact. */
  FLOAT32(4, dev.mmict.protocol.v1.PixelEncoding.PIXEL_ENCODING_FLOAT32_LE);

  private static final float[] UINT8_VALUES = new float[256];

  static {
    for (int q = 0; q < 256; q++) {
      UINT8_VALUES[q] = q / 255f;
    }
  }

  private final int bytesPerValue;
  private final dev.mmict.protocol.v1.PixelEncoding wire;

  PixelEncoding(int bytesPerValue, dev.mmict.protocol.v1.PixelEncoding wire) {
    this.bytesPerValue = bytesPerValue;
    this.wire = wire;
  }

  /** Bytes one pixel value takes. */
  public int bytesPerValue() {
    return bytesPerValue;
  }

  /** The protobuf enum value. */
  dev.mmict.protocol.v1.PixelEncoding wire() {
    return wire;
  }

  /** The encoding a protobuf value names; throws for an unspecified or unknown one. */
  static PixelEncoding fromWire(dev.mmict.protocol.v1.PixelEncoding wire) {
    for (PixelEncoding e : values()) {
      if (e.wire == wire) {
        return e;
      }
    }
    throw new IllegalArgumentException("unknown pixel encoding " + wire);
  }

  /** The lower-case name used in manifests ("uint8", "float32"). */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** The encoding a manifest label names. */
  public static PixelEncoding fromLabel(String label) {
    for (PixelEncoding e : values()) {
      if (e.label().equals(label)) {
        return e;
      }
    }
    throw new IllegalArgumentException("unknown pixel encoding '" + label + "' (uint8 or float32)");
  }

  /** The bytes of {@code values}; UINT8 refuses NaN (an image has none). */
  public byte[] encode(float[] values) {
    if (this == FLOAT32) {
      ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      b.asFloatBuffer().put(values);
      return b.array();
    }
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) quantise(values[i], i);
    }
    return out;
  }

  /** {@code count} values decoded from {@code bytes}; throws if the byte count is not count·width. */
  public float[] decode(ByteBuffer bytes, int count) {
    if (bytes.remaining() != (long) count * bytesPerValue) {
      throw new IllegalArgumentException(
          count + " " + label() + " pixel values need " + (long) count * bytesPerValue
              + " bytes, got " + bytes.remaining());
    }
    float[] out = new float[count];
    if (this == FLOAT32) {
      bytes.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
      return out;
    }
    int base = bytes.position();
    for (int i = 0; i < count; i++) {
      out[i] = UINT8_VALUES[bytes.get(base + i) & 0xFF];
    }
    return out;
  }

  /**
   * The frame a pack in this encoding gives back for {@code frame}: the same frame for FLOAT32,
   * the 8-bit quantised one for UINT8.
   */
  public Frame asStored(Frame frame) {
    if (this == FLOAT32) {
      return frame;
    }
    float[] p = frame.pixels();
    float[] q = new float[p.length];
    for (int i = 0; i < p.length; i++) {
      q[i] = UINT8_VALUES[quantise(p[i], i)];
    }
    return new Frame(frame.channels(), frame.height(), frame.width(), q);
  }

  private static int quantise(float v, int i) {
    if (Float.isNaN(v)) {
      throw new IllegalArgumentException("pixel value " + i + " is NaN");
    }
    return Math.round(Math.min(1f, Math.max(0f, v)) * 255f);
  }
}
