package dev.mmict.worker.exchange;

import dev.mmict.protocol.v1.ElementEncoding;
import java.nio.ByteBuffer;

/**
 * The vector being all-reduced, seen by the ring as slices to encode, add into and overwrite;
 * one implementation per element type so the ring itself is type-free.
 */
interface ReduceBuffer {

  /** Number of elements. */
  int length();

  /** The wire encoding of this buffer's chunks. */
  ElementEncoding encoding();

  /** Encodes {@code [offset, offset+count)} into {@code target} at its position, advancing it. */
  void encodeInto(int offset, int count, ByteBuffer target);

  /** Adds the payload's {@code count} elements into {@code [offset, ..)}; may overflow (fixed). */
  void accumulate(ElementCodec.Bytes payload, int offset, int count);

  /** Overwrites {@code [offset, offset+count)} with the payload's elements. */
  void overwrite(ElementCodec.Bytes payload, int offset, int count);

  /**
   * Replaces {@code [offset, offset+count)} by what a receiver would decode from it, so that the
   * owner of a reduced segment ends with the same bits as everyone it sends it to.
   */
  void roundToWire(int offset, int count);

  /** A FIXED64 buffer: exact, order-independent sums; overflow throws. */
  static ReduceBuffer ofFixed(long[] data) {
    return new Fixed(data);
  }

  /** A float buffer sent as FP32, FP16 or BF16. */
  static ReduceBuffer ofFloats(float[] data, ElementEncoding encoding) {
    if (encoding != ElementEncoding.ELEMENT_ENCODING_FP32
        && encoding != ElementEncoding.ELEMENT_ENCODING_FP16
        && encoding != ElementEncoding.ELEMENT_ENCODING_BF16) {
      throw new IllegalArgumentException("float gradients cannot travel as " + encoding);
    }
    return new Floats(data, encoding);
  }

  /** 64-bit fixed point. */
  final class Fixed implements ReduceBuffer {
    private final long[] data;
    private long[] scratch;

    Fixed(long[] data) {
      this.data = data;
    }

    @Override
    public int length() {
      return data.length;
    }

    @Override
    public ElementEncoding encoding() {
      return ElementEncoding.ELEMENT_ENCODING_FIXED64;
    }

    @Override
    public void encodeInto(int offset, int count, ByteBuffer target) {
      ElementCodec.encodeFixedInto(data, offset, count, target);
    }

    @Override
    public void accumulate(ElementCodec.Bytes payload, int offset, int count) {
      // Bulk-decode into a scratch array first (a memory copy), then add in a plain loop.
      long[] in = scratch(count);
      payload.fixed64s(in, 0, count);
      for (int i = 0; i < count; i++) {
        int at = offset + i;
        data[at] = FixedPoint.add(data[at], in[i], at);
      }
    }

    @Override
    public void overwrite(ElementCodec.Bytes payload, int offset, int count) {
      payload.fixed64s(data, offset, count);
    }

    private long[] scratch(int count) {
      if (scratch == null || scratch.length < count) {
        scratch = new long[count];
      }
      return scratch;
    }

    @Override
    public void roundToWire(int offset, int count) {
      // exact encoding: nothing to round
    }
  }

  /** Floats, summed in FP32 whatever the wire encoding. */
  final class Floats implements ReduceBuffer {
    private final float[] data;
    private final ElementEncoding encoding;
    private float[] scratch;

    Floats(float[] data, ElementEncoding encoding) {
      this.data = data;
      this.encoding = encoding;
    }

    @Override
    public int length() {
      return data.length;
    }

    @Override
    public ElementEncoding encoding() {
      return encoding;
    }

    @Override
    public void encodeInto(int offset, int count, ByteBuffer target) {
      ElementCodec.encodeFloatsInto(data, offset, count, encoding, target);
    }

    @Override
    public void accumulate(ElementCodec.Bytes payload, int offset, int count) {
      if (encoding == ElementEncoding.ELEMENT_ENCODING_FP32) {
        // Bulk-decode into a scratch array first (a memory copy), then a loop the JIT vectorises.
        float[] in = scratch(count);
        payload.fp32s(in, 0, count);
        for (int i = 0; i < count; i++) {
          data[offset + i] += in[i];
        }
      } else {
        for (int i = 0; i < count; i++) {
          data[offset + i] += payload.floatAt(i, encoding);
        }
      }
    }

    @Override
    public void overwrite(ElementCodec.Bytes payload, int offset, int count) {
      if (encoding == ElementEncoding.ELEMENT_ENCODING_FP32) {
        payload.fp32s(data, offset, count);
      } else {
        for (int i = 0; i < count; i++) {
          data[offset + i] = payload.floatAt(i, encoding);
        }
      }
    }

    private float[] scratch(int count) {
      if (scratch == null || scratch.length < count) {
        scratch = new float[count];
      }
      return scratch;
    }

    @Override
    public void roundToWire(int offset, int count) {
      if (ElementCodec.lossy(encoding)) {
        for (int i = offset; i < offset + count; i++) {
          data[i] = ElementCodec.roundTrip(data[i], encoding);
        }
      }
    }
  }
}
