package dev.mmict.worker.exchange;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FixedPointTest {

  private final FixedPoint q32 = FixedPoint.DEFAULT;

  @Test
  void encodesByScalingWithTwoToTheFractionBitsAndRoundingHalfEven() {
    assertEquals(6_442_450_944L, q32.encode(1.5f, 0)); // 1.5 * 2^32
    assertEquals(-(1L << 30), q32.encode(-0.25f, 0));
    assertEquals(0L, q32.encode(0x1p-33f, 0)); // half a unit: ties to even 0
    assertEquals(2L, q32.encode(3 * 0x1p-33f, 0)); // 1.5 units: ties to even 2
    assertEquals(1L, q32.encode(3 * 0x1p-34f, 0)); // 0.75 units
    assertEquals(Long.MIN_VALUE, q32.encode(-0x1p31f, 0)); // the most negative value fits
    assertEquals(6L, new FixedPoint(2).encode(1.5f, 0));
    assertEquals(0x1p-32, q32.resolution());
    assertEquals(0x1p31, q32.range());
  }

  @Test
  void decodesBackExactlyForRepresentableValues() {
    float[] values = {1.5f, -0.25f, 1234.5625f, -0x1p31f, 0x1p-32f, 0f};
    float[] back = q32.decode(q32.encode(values), 1.0);
    assertArrayEquals(values, back);
    assertEquals(0.75f, q32.decode(q32.encode(1.5f, 0), 2.0));
  }

  @Test
  void outOfRangeNanAndInfinityAreReportedWithTheirIndex() {
    FixedPointOverflowException tooBig =
        assertThrows(FixedPointOverflowException.class, () -> q32.encode(new float[] {0f, 1f, 0x1p31f}));
    assertEquals(2, tooBig.elementIndex());
    assertTrue(tooBig.getMessage().contains("gradient element 2"), tooBig.getMessage());
    assertEquals(1, assertThrows(FixedPointOverflowException.class,
        () -> q32.encode(new float[] {0f, Float.NaN})).elementIndex());
    assertEquals(0, assertThrows(FixedPointOverflowException.class,
        () -> q32.encode(new float[] {Float.NEGATIVE_INFINITY})).elementIndex());
  }

  @Test
  void additionOverflowIsDetectedNotWrapped() {
    long[] sum = {1, Long.MAX_VALUE - 1, -5};
    FixedPointOverflowException e =
        assertThrows(FixedPointOverflowException.class, () -> FixedPoint.addInto(sum, new long[] {1, 2, 0}));
    assertEquals(1, e.elementIndex());
    assertEquals(1, assertThrows(FixedPointOverflowException.class,
        () -> FixedPoint.addInto(new long[] {0, Long.MIN_VALUE}, new long[] {0, -1})).elementIndex());
    assertEquals(Long.MAX_VALUE, FixedPoint.add(Long.MAX_VALUE - 1, 1, 0));
    assertEquals(-1, FixedPoint.add(Long.MAX_VALUE, Long.MIN_VALUE, 0));
  }

  @Test
  void microBatchSumsAreBitwiseIndependentOfOrderAndGrouping() {
    Random random = new Random(7);
    int length = 64;
    List<float[]> microBatches = new ArrayList<>();
    for (int m = 0; m < 16; m++) {
      float[] g = new float[length];
      for (int i = 0; i < length; i++) {
        // magnitudes spread over six decades, so float sums depend on their order
        g[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(6) - 3));
      }
      microBatches.add(g);
    }
    MicroBatchGradientSum reference = new MicroBatchGradientSum(q32, length);
    microBatches.forEach(reference::add);
    float[] floatForward = new float[length];
    microBatches.forEach(g -> addFloats(floatForward, g));

    List<float[]> shuffled = new ArrayList<>(microBatches);
    boolean floatOrderMattered = false;
    for (int trial = 0; trial < 5; trial++) {
      Collections.shuffle(shuffled, random);
      // two "workers" with an uneven split, summed separately then added
      MicroBatchGradientSum a = new MicroBatchGradientSum(q32, length);
      MicroBatchGradientSum b = new MicroBatchGradientSum(q32, length);
      int split = 1 + random.nextInt(shuffled.size() - 1);
      shuffled.subList(0, split).forEach(a::add);
      shuffled.subList(split, shuffled.size()).forEach(b::add);
      FixedPoint.addInto(a.buffer(), b.buffer());
      assertArrayEquals(reference.buffer(), a.buffer());
      assertArrayEquals(reference.mean(16), a.mean(16));

      float[] floatShuffled = new float[length];
      shuffled.forEach(g -> addFloats(floatShuffled, g));
      floatOrderMattered |= !java.util.Arrays.equals(floatForward, floatShuffled);
    }
    // The data is such that plain float sums do change with order, so the equality above is meaningful.
    assertTrue(floatOrderMattered, "float sums happened to be order-independent on this data");
    assertEquals(16, reference.microBatches());
    reference.clear();
    assertEquals(0, reference.microBatches());
    assertFalse(java.util.Arrays.stream(reference.buffer()).anyMatch(v -> v != 0));
  }

  @Test
  void fractionBitsAreValidated() {
    assertThrows(IllegalArgumentException.class, () -> new FixedPoint(63));
    assertThrows(IllegalArgumentException.class, () -> new FixedPoint(-1));
  }

  private static void addFloats(float[] sum, float[] g) {
    for (int i = 0; i < sum.length; i++) {
      sum[i] += g[i];
    }
  }
}
