package dev.mmict.worker.exchange;

/**
 * Signed 64-bit fixed point for deterministic gradient sums: a float {@code v} is stored as the
 * long {@code round_half_even(v * 2^f)}, with {@code f} fraction bits.
 *
 * <p>With the default {@code f = 32}: resolution {@code 2^-32} (about 2.3e-10; a gradient element
 * smaller than half of that becomes 0, and every element is rounded to a multiple of it), range
 * {@code [-2^31, 2^31)} (about ±2.1e9) for each value and for every partial sum. Floats have 24
 * significant bits, so any float between 2^-8 and 2^31 in magnitude converts exactly.
 *
 * <p>Why: integer addition is associative, so the sum of the per-micro-batch encodings is the
 * same whatever order and grouping the ring applies, hence the same bits for any number of
 * ranks. {@link #encode} is a pure function of the float (float to double, multiplication by a
 * power of two and rounding are all exact or correctly rounded), and so is {@link #decode}.
 *
 * <p>Overflow is never silent: a NaN, an infinity, a value out of range, or an addition whose
 * result does not fit 64 bits throws {@link FixedPointOverflowException} naming the element.
 */
public final class FixedPoint {

  /** The fraction bits used unless configured otherwise. */
  public static final int DEFAULT_FRACTION_BITS = 32;

  /** The default format, {@code f = 32}. */
  public static final FixedPoint DEFAULT = new FixedPoint(DEFAULT_FRACTION_BITS);

  private static final double TWO_POW_63 = 0x1p63;

  private final int fractionBits;
  private final double scale;
  private final double inverseScale;

  /** A format with {@code fractionBits} in [0, 62]. */
  public FixedPoint(int fractionBits) {
    if (fractionBits < 0 || fractionBits > 62) {
      throw new IllegalArgumentException(
          "fixed-point fraction bits must be in [0, 62], got " + fractionBits);
    }
    this.fractionBits = fractionBits;
    this.scale = Math.scalb(1.0, fractionBits);
    this.inverseScale = Math.scalb(1.0, -fractionBits);
  }

  /** Number of fraction bits {@code f}. */
  public int fractionBits() {
    return fractionBits;
  }

  /** The value of one unit, {@code 2^-f}. */
  public double resolution() {
    return inverseScale;
  }

  /** The largest magnitude representable, {@code 2^(63-f)} (exclusive on the positive side). */
  public double range() {
    return Math.scalb(1.0, 63 - fractionBits);
  }

  /** The fixed-point encoding of one value; {@code index} only names it in the error. */
  public long encode(float value, long index) {
    double scaled = Math.rint(value * scale); // exact product: float * 2^f fits a double
    if (!(scaled >= -TWO_POW_63 && scaled < TWO_POW_63)) {
      throw new FixedPointOverflowException(
          index,
          "gradient element "
              + index
              + " = "
              + value
              + " does not fit 64-bit fixed point with "
              + fractionBits
              + " fraction bits (range ±"
              + range()
              + ")");
    }
    return (long) scaled;
  }

  /** Encodes every element of {@code values}. */
  public long[] encode(float[] values) {
    long[] out = new long[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = encode(values[i], i);
    }
    return out;
  }

  /** Adds {@code encode(values)} into {@code sum} exactly, element by element. */
  public void encodeAndAdd(float[] values, long[] sum) {
    requireSameLength(values.length, sum.length);
    for (int i = 0; i < values.length; i++) {
      sum[i] = add(sum[i], encode(values[i], i), i);
    }
  }

  /** The float nearest to the fixed-point value {@code raw / divisor} (divisor 1 for a sum). */
  public float decode(long raw, double divisor) {
    return (float) (raw * inverseScale / divisor);
  }

  /** Decodes every element: {@code out[i] = raw[i] * 2^-f / divisor}, rounded to float. */
  public float[] decode(long[] raw, double divisor) {
    if (!(divisor > 0) || Double.isInfinite(divisor)) {
      throw new IllegalArgumentException("divisor must be positive and finite, got " + divisor);
    }
    float[] out = new float[raw.length];
    for (int i = 0; i < raw.length; i++) {
      out[i] = decode(raw[i], divisor);
    }
    return out;
  }

  /** {@code a + b}, or {@link FixedPointOverflowException} naming {@code index} if it overflows. */
  public static long add(long a, long b, long index) {
    long sum = a + b;
    // Overflow iff both operands have the same sign and the result's sign differs (as addExact).
    if (((a ^ sum) & (b ^ sum)) < 0) {
      throw new FixedPointOverflowException(
          index, "fixed-point sum overflows 64 bits at gradient element " + index + ": " + a + " + " + b);
    }
    return sum;
  }

  /**
   * Adds {@code addend[addendFrom .. addendFrom+length)} into {@code sum[sumFrom ..)} exactly;
   * errors name the element as {@code indexBase + i}.
   */
  public static void addInto(
      long[] sum, int sumFrom, long[] addend, int addendFrom, int length, long indexBase) {
    for (int i = 0; i < length; i++) {
      sum[sumFrom + i] = add(sum[sumFrom + i], addend[addendFrom + i], indexBase + i);
    }
  }

  /** Adds {@code addend} into {@code sum} exactly, element by element. */
  public static void addInto(long[] sum, long[] addend) {
    requireSameLength(addend.length, sum.length);
    addInto(sum, 0, addend, 0, sum.length, 0);
  }

  private static void requireSameLength(int a, int b) {
    if (a != b) {
      throw new IllegalArgumentException("vector lengths differ: " + a + " vs " + b);
    }
  }
}
