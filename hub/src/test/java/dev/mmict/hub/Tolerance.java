package dev.mmict.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.types.Shape;

/** Element-wise comparison with the oracle tolerance, reporting the worst element on failure. */
final class Tolerance {
  static final double ABS = 1e-4;
  static final double REL = 1e-4;

  private Tolerance() {
  }

  /**
   * Asserts {@code |actual - expected| <= ABS + REL * |expected|} for every element (NaN fails).
   */
  static void assertClose(String what, float[] actual, float[] expected, Shape shape) {
    assertEquals(expected.length, actual.length, what + ": element count");
    int worst = -1;
    double worstExcess = Double.NEGATIVE_INFINITY;
    int bad = 0;
    for (int i = 0; i < expected.length; i++) {
      double diff = Math.abs((double) actual[i] - expected[i]);
      double excess = Double.isNaN(diff) ? Double.POSITIVE_INFINITY
          : diff - (ABS + REL * Math.abs(expected[i]));
      if (excess > 0) {
        bad++;
      }
      if (excess > worstExcess) {
        worstExcess = excess;
        worst = i;
      }
    }
    if (bad > 0) {
      fail(String.format("%s: %d of %d elements out of tolerance (%.0e + %.0e*|expected|); worst at"
          + " index %s: actual=%.8g expected=%.8g |diff|=%.3g", what, bad, expected.length, ABS,
          REL, index(worst, shape), actual[worst], expected[worst],
          Math.abs((double) actual[worst] - expected[worst])));
    }
  }

  /** The multi-index of flat position {@code flat} in a row-major array of {@code shape}. */
  static String index(int flat, Shape shape) {
    long[] dims = shape.getShape();
    long[] idx = new long[dims.length];
    long rest = flat;
    for (int d = dims.length - 1; d >= 0; d--) {
      idx[d] = dims[d] == 0 ? 0 : rest % dims[d];
      rest = dims[d] == 0 ? rest : rest / dims[d];
    }
    return java.util.Arrays.toString(idx);
  }
}
