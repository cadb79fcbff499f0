package dev.mmict.worker.exchange;

/**
 * Conversions between binary32 floats and the two 16-bit formats of the lossy payload encodings
 * (IEEE binary16 and bfloat16), rounding to nearest even. Java 17 has no Float.floatToFloat16.
 */
public final class HalfFloats {

  private HalfFloats() {}

  /** The binary16 bits nearest to {@code value}; overflow gives infinity, NaN stays NaN. */
  public static short toFp16(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int exponent = (bits >>> 23) & 0xff;
    int mantissa = bits & 0x7fffff;
    if (exponent == 0xff) {
      // Infinity keeps a zero mantissa; NaN keeps a non-zero (quiet) one.
      return (short) (sign | 0x7c00 | (mantissa != 0 ? 0x200 | (mantissa >>> 13) : 0));
    }
    int halfExponent = exponent - 127 + 15;
    if (halfExponent >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (halfExponent <= 0) {
      // Subnormal half (or zero): count units of 2^-24. The float is m * 2^(exponent - 150) with
      // m the significand including the hidden bit, so units = m >> (126 - exponent), rounded.
      if (exponent == 0) {
        return (short) sign; // float zero or subnormal (< 2^-126): far below half's 2^-25
      }
      int significand = 0x800000 | mantissa;
      int shift = 126 - exponent; // >= 14 here
      if (shift >= 25) {
        return (short) sign; // below half of the smallest subnormal half
      }
      return (short) (sign | roundShift(significand, shift));
    }
    // Normal: carry of the rounding into the exponent (and up to infinity) is the right result.
    int unrounded = (halfExponent << 10) | (mantissa >>> 13);
    int rest = mantissa & 0x1fff;
    int rounded = rest > 0x1000 || (rest == 0x1000 && (unrounded & 1) == 1) ? unrounded + 1 : unrounded;
    return (short) (sign | rounded);
  }

  /** The float value of binary16 bits (exact: every half is a float). */
  public static float fromFp16(short half) {
    int h = half & 0xffff;
    int sign = (h & 0x8000) << 16;
    int exponent = (h >>> 10) & 0x1f;
    int mantissa = h & 0x3ff;
    if (exponent == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
    }
    if (exponent == 0) {
      float magnitude = mantissa * 0x1p-24f; // exact: mantissa < 2^10
      return sign != 0 ? -magnitude : magnitude;
    }
    return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
  }

  /** The bfloat16 bits nearest to {@code value}; overflow gives infinity, NaN stays NaN. */
  public static short toBf16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if ((bits & 0x7fffffff) > 0x7f800000) {
      return (short) ((bits >>> 16) | 0x40); // NaN: keep it a (quiet) NaN after truncation
    }
    int roundingBias = 0x7fff + ((bits >>> 16) & 1);
    return (short) ((bits + roundingBias) >>> 16);
  }

  /** The float value of bfloat16 bits (exact). */
  public static float fromBf16(short bf16) {
    return Float.intBitsToFloat((bf16 & 0xffff) << 16);
  }

  private static int roundShift(int value, int shift) {
    int quotient = value >>> shift;
    int rest = value & ((1 << shift) - 1);
    int half = 1 << (shift - 1);
    return rest > half || (rest == half && (quotient & 1) == 1) ? quotient + 1 : quotient;
  }
}
