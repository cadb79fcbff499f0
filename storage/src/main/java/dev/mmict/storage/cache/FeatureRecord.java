package dev.mmict.storage.cache;

import ai.djl.util.Float16Utils;
import dev.mmict.storage.records.CorruptRecordException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The data of one cache record (inside the CRC framing of {@link
 * dev.mmict.storage.records.RecordFraming}), little-endian: {@code uint16} key length, the key in
 * UTF-8, {@code uint32} value count n, then n IEEE float16 values. The key is stored so that an
 * index can be rebuilt from the shard alone and a read can check it got the record it asked for.
 */
final class FeatureRecord {
  /** Largest float16 value; larger magnitudes would become infinite. */
  static final float HALF_MAX = 65504f;
  /** Longest key in UTF-8 bytes. */
  static final int MAX_KEY_BYTES = 0xFFFF;

  private FeatureRecord() {}

  /** A decoded record. */
  record Decoded(String key, float[] values) {}

  /** The record data of {@code key} and {@code values} rounded to float16. */
  static byte[] encode(String key, float[] values) {
    byte[] k = keyBytes(key);
    ByteBuffer b = ByteBuffer.allocate(2 + k.length + 4 + 2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) k.length).put(k).putInt(values.length);
    for (float v : values) {
      b.putShort(Float16Utils.floatToHalf(v));
    }
    return b.array();
  }

  /** The values a reader gets back after {@link #encode}: each rounded to float16. */
  static float[] rounded(float[] values) {
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Float16Utils.halfToFloat(Float16Utils.floatToHalf(values[i]));
    }
    return out;
  }

  /**
   * Decodes record data read from {@code shard} at {@code offset}.
   *
   * @throws CorruptRecordException if the lengths inside do not add up to the data's size
   */
  static Decoded decode(byte[] data, String shard, long offset) {
    ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    if (data.length < 6) {
      throw new CorruptRecordException(shard, offset, "feature record of " + data.length + " bytes is too short");
    }
    int keyLength = Short.toUnsignedInt(b.getShort());
    if (2 + keyLength + 4 > data.length) {
      throw new CorruptRecordException(shard, offset, "key length " + keyLength + " runs past the record's "
          + data.length + " bytes");
    }
    String key = new String(data, 2, keyLength, StandardCharsets.UTF_8);
    b.position(2 + keyLength);
    long count = Integer.toUnsignedLong(b.getInt());
    if (2 + keyLength + 4 + 2 * count != data.length) {
      throw new CorruptRecordException(shard, offset, "record of key " + key + " says " + count
          + " float16 values but holds " + (data.length - 2 - keyLength - 4) + " bytes of them");
    }
    float[] values = new float[(int) count];
    for (int i = 0; i < values.length; i++) {
      values[i] = Float16Utils.halfToFloat(b.getShort());
    }
    return new Decoded(key, values);
  }

  /** The key of record data, without decoding the values (for rebuilding an index). */
  static String key(byte[] data, String shard, long offset) {
    if (data.length < 2) {
      throw new CorruptRecordException(shard, offset, "feature record of " + data.length + " bytes is too short");
    }
    int keyLength = Short.toUnsignedInt(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getShort());
    if (2 + keyLength > data.length) {
      throw new CorruptRecordException(shard, offset, "key length " + keyLength + " runs past the record's "
          + data.length + " bytes");
    }
    return new String(data, 2, keyLength, StandardCharsets.UTF_8);
  }

  /** The UTF-8 bytes of a key; rejects empty and over-long keys. */
  static byte[] keyBytes(String key) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    if (k.length == 0 || k.length > MAX_KEY_BYTES) {
      throw new IllegalArgumentException("feature cache key must be 1.." + MAX_KEY_BYTES + " UTF-8 bytes, got "
          + k.length + " ('" + (key.length() > 80 ? key.substring(0, 80) + "…" : key) + "')");
    }
    return k;
  }

  /** The index of the first value float16 cannot hold (NaN, infinite or beyond ±65504), or -1. */
  static int firstUnrepresentable(float[] values) {
    for (int i = 0; i < values.length; i++) {
      if (!(Math.abs(values[i]) <= HALF_MAX)) {
        return i;
      }
    }
    return -1;
  }
}
