package dev.mmict.worker.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HalfFloatsTest {

  private static int fp16(float v) {
    return HalfFloats.toFp16(v) & 0xffff;
  }

  private static int bf16(float v) {
    return HalfFloats.toBf16(v) & 0xffff;
  }

  @Test
  void fp16KnownValuesRoundToNearestEven() {
    assertEquals(0x3c00, fp16(1.0f));
    assertEquals(0xc000, fp16(-2.0f));
    assertEquals(0x7bff, fp16(65504f)); // largest finite half
    assertEquals(0x7c00, fp16(65520f)); // halfway to 65536: ties to even, which is infinity
    assertEquals(0x7bff, fp16(65519f));
    assertEquals(0x3c00, fp16(1f + 0x1p-11f)); // tie between 1 and 1+2^-10: even is 1
    assertEquals(0x3c02, fp16(1f + 3 * 0x1p-11f)); // tie between mantissas 1 and 2: even is 2
    assertEquals(0x0001, fp16(0x1p-24f)); // smallest subnormal
    assertEquals(0x0000, fp16(0x1p-25f)); // tie between 0 and the smallest subnormal
    assertEquals(0x0001, fp16(3 * 0x1p-26f)); // 0.75 of a unit rounds up
    assertEquals(0x0400, fp16(0x1p-14f)); // smallest normal
    assertEquals(0x8000, fp16(-0x1p-30f));
    assertEquals(0x7c00, fp16(Float.POSITIVE_INFINITY));
    assertEquals(0xfc00, fp16(Float.NEGATIVE_INFINITY));
    assertTrue(Float.isNaN(HalfFloats.fromFp16(HalfFloats.toFp16(Float.NaN))));
    assertEquals(0.000061035156f, HalfFloats.fromFp16((short) 0x0400));
    assertEquals(-2.0f, HalfFloats.fromFp16((short) 0xc000));
  }

  @Test
  void everyFp16ValueRoundTripsThroughFloat() {
    for (int h = 0; h < 0x10000; h++) {
      float f = HalfFloats.fromFp16((short) h);
      if (Float.isNaN(f)) {
        assertTrue((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0, "NaN from a non-NaN half " + h);
        continue;
      }
      assertEquals(h, fp16(f), "half bits " + Integer.toHexString(h));
    }
  }

  @Test
  void bf16KnownValuesAndRoundTrip() {
    assertEquals(0x3f80, bf16(1.0f));
    assertEquals(0x3f80, bf16(1f + 0x1p-8f)); // tie: even mantissa 0
    assertEquals(0x3f82, bf16(1f + 3 * 0x1p-8f)); // tie between 1 and 2: even 2
    assertEquals(0x3f81, bf16(1f + 0x1p-8f + 0x1p-20f)); // just above the tie
    assertEquals(0x7f80, bf16(Float.MAX_VALUE)); // rounds past the largest bf16 to infinity
    assertTrue(Float.isNaN(HalfFloats.fromBf16(HalfFloats.toBf16(Float.NaN))));
    for (int b = 0; b < 0x10000; b++) {
      float f = HalfFloats.fromBf16((short) b);
      if (!Float.isNaN(f)) {
        assertEquals(b, bf16(f), "bf16 bits " + Integer.toHexString(b));
      }
    }
  }
}
