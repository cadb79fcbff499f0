package dev.mmict.hub.io;

/**
 * Bit-exact conversions between float32 and the two 16-bit float formats (IEEE half and
 * bfloat16), rounding to nearest, ties to even. Java 17 has no {@code Float.floatToFloat16}.
 */
public final class HalfPrecision {
  private HalfPrecision() {
  }

  /** The IEEE half-precision bits nearest to {@code f} (overflow gives ±Inf; NaN stays NaN). */
  public static short floatToHalf(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xFF;
    int mant = bits & 0x7FFFFF;
    if (exp == 0xFF) {
      // Inf keeps its sign; NaN becomes a quiet NaN keeping the top payload bits.
      return (short) (mant == 0 ? sign | 0x7C00 : sign | 0x7E00 | (mant >>> 13));
    }
    int halfExp = exp - 127 + 15;
    if (halfExp >= 0x1F) {
      return (short) (sign | 0x7C00);
    }
    if (halfExp >= 1) {
      int half = (halfExp << 10) | (mant >>> 13);
      int rest = mant & 0x1FFF;
      if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
        half++; // a carry into the exponent is the correct next value (possibly Inf)
      }
      return (short) (sign | half);
    }
    // Subnormal half: units of 2^-24. The float is m * 2^(exp - 150) with the implicit bit.
    int shift = 126 - exp;
    if (shift > 24) {
      return (short) sign; // below half the smallest subnormal
    }
    int m = mant | 0x800000;
    int q = m >>> shift;
    int rest = m & ((1 << shift) - 1);
    int halfway = 1 << (shift - 1);
    if (rest > halfway || (rest == halfway && (q & 1) == 1)) {
      q++; // may become 0x400, the smallest normal: still the right encoding
    }
    return (short) (sign | q);
  }

  /** The float32 value of IEEE half-precision bits (exact). */
  public static float halfToFloat(short h) {
    int bits = h & 0xFFFF;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1F;
    int mant = bits & 0x3FF;
    if (exp == 0) {
      float magnitude = Math.scalb((float) mant, -24);
      return sign == 0 ? magnitude : -magnitude;
    }
    if (exp == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }

  /** The bfloat16 bits nearest to {@code f} (overflow gives ±Inf; NaN stays a quiet NaN). */
  public static short floatToBfloat16(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (short) ((bits >>> 16) | 0x0040);
    }
    int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
    return (short) (rounded >>> 16);
  }

  /** The float32 value of bfloat16 bits (exact). */
  public static float bfloat16ToFloat(short b) {
    return Float.intBitsToFloat((b & 0xFFFF) << 16);
  }
}
