package dev.mmict.hub.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfPrecisionTest {

  private static int half(float f) {
    return HalfPrecision.floatToHalf(f) & 0xFFFF;
  }

  private static int bf16(float f) {
    return HalfPrecision.floatToBfloat16(f) & 0xFFFF;
  }

  @Test
  void halfBitPatternsOfKnownValues() {
    assertEquals(0x3C00, half(1.0f));
    assertEquals(0xC100, half(-2.5f));
    assertEquals(0x7BFF, half(65504f));           // largest finite half
    assertEquals(0x0000, half(0.0f));
    assertEquals(0x8000, half(-0.0f));
    assertEquals(0x3555, half(1f / 3f));          // 0x3555 = 0.333251953125 (nearest)
    assertEquals(0x0400, half(0x1p-14f));         // smallest normal
    assertEquals(0x0001, half(0x1p-24f));         // smallest subnormal
    assertEquals(0x03FF, half(1023 * 0x1p-24f));  // largest subnormal
    assertEquals(0x0200, half(0x1p-15f));         // a subnormal power of two
  }

  @Test
  void halfRoundsToNearestEven() {
    assertEquals(0x7C00, half(65520f));           // halfway to 65536: ties to even = Inf
    assertEquals(0x7BFF, half(65519f));           // just below halfway stays finite
    assertEquals(0x0000, half(0x1p-25f));         // halfway to the smallest subnormal: to 0
    assertEquals(0x0001, half(1.5f * 0x1p-25f));  // above halfway: up
    assertEquals(0x0002, half(3 * 0x1p-25f));     // 1.5 units, tie: to even (2)
    assertEquals(0x3C00, half(1f + 0x1p-11f));    // tie between 0x3C00 and 0x3C01: even
    assertEquals(0x3C02, half(1f + 3 * 0x1p-11f)); // tie between 0x3C01 and 0x3C02: even
    assertEquals(0x0400, half(0x1p-14f - 0x1p-26f)); // rounds up out of the subnormals
  }

  @Test
  void halfSpecialValues() {
    assertEquals(0x7C00, half(Float.POSITIVE_INFINITY));
    assertEquals(0xFC00, half(Float.NEGATIVE_INFINITY));
    assertEquals(0x7C00, half(1e10f));
    assertEquals(0xFC00, half(-1e10f));
    assertEquals(0x7E00, half(Float.NaN));
    assertEquals(0x0000, half(Float.MIN_VALUE));
    assertTrue(Float.isNaN(HalfPrecision.halfToFloat((short) 0x7E00)));
    assertTrue(Float.isNaN(HalfPrecision.halfToFloat((short) 0x7C01)));
    assertEquals(Float.POSITIVE_INFINITY, HalfPrecision.halfToFloat((short) 0x7C00));
    assertEquals(Float.NEGATIVE_INFINITY, HalfPrecision.halfToFloat((short) 0xFC00));
  }

  @Test
  void halfToFloatIsExactAndInvertsEveryNonNaNPattern() {
    assertEquals(1.0f, HalfPrecision.halfToFloat((short) 0x3C00));
    assertEquals(-2.5f, HalfPrecision.halfToFloat((short) 0xC100));
    assertEquals(65504f, HalfPrecision.halfToFloat((short) 0x7BFF));
    assertEquals(0x1p-24f, HalfPrecision.halfToFloat((short) 0x0001));
    assertEquals(-1023 * 0x1p-24f, HalfPrecision.halfToFloat((short) 0x83FF));
    for (int bits = 0; bits < 0x10000; bits++) {
      float f = HalfPrecision.halfToFloat((short) bits);
      if (!Float.isNaN(f)) {
        assertEquals(bits, half(f), "round trip of half bits 0x" + Integer.toHexString(bits));
      }
    }
  }

  @Test
  void bfloat16BitPatterns() {
    assertEquals(0x3F80, bf16(1.0f));
    assertEquals(0xC020, bf16(-2.5f));
    assertEquals(0x477F, bf16(65280f));           // exactly representable
    assertEquals(0x4780, bf16(65504f));           // rounds up to 65536
    assertEquals(0x3EAB, bf16(1f / 3f));          // 0x3EAAAAAB rounds up
    assertEquals(0x3F80, bf16(Float.intBitsToFloat(0x3F808000))); // tie: to even (down)
    assertEquals(0x3F82, bf16(Float.intBitsToFloat(0x3F818000))); // tie: to even (up)
    assertEquals(0x0001, bf16(Float.intBitsToFloat(0x00010000))); // a float subnormal
    assertEquals(0x7F80, bf16(Float.MAX_VALUE));  // overflow: Inf
    assertEquals(0x7F80, bf16(Float.POSITIVE_INFINITY));
    assertEquals(0xFF80, bf16(Float.NEGATIVE_INFINITY));
    assertEquals(0x7FC0, bf16(Float.NaN));
    assertTrue(Float.isNaN(HalfPrecision.bfloat16ToFloat((short) bf16(Float.intBitsToFloat(0x7F800001)))),
        "a signalling NaN whose payload is in the low bits must stay NaN");
    assertEquals(-2.5f, HalfPrecision.bfloat16ToFloat((short) 0xC020));
    assertEquals(Float.NEGATIVE_INFINITY, HalfPrecision.bfloat16ToFloat((short) 0xFF80));
  }
}
