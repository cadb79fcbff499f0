package dev.mmict.hub.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.mmict.hub.assembly.SequencePlan;
import java.util.List;
import org.junit.jupiter.api.Test;

class DialogContrastTest {

  // Two dialogs of 3 demonstrations; items 0-2 and 4-6 are demonstrations, 3 and 7 the queries.
  // M-Hub rows: Q = 1 query row, T = 2 text rows, width 2. Demonstration texts have 2 tokens
  // except item 5 (1 token: its second row is padding and must not count).
  private static final int[][] TEXTS = {{1, 2}, {1, 2}, {1, 2}, {1}, {1, 2}, {1}, {1, 2}, {1}};

  private static SequencePlan plan() {
    return new SequencePlan(List.of(), TEXTS, 2, 3, 0, 0, 2, 0, new long[0], new int[0], new long[0],
        new int[] {3, 7}, new int[][] {{0, 1, 2}, {4, 5, 6}});
  }

  /** Item rows [query row, text row 1, text row 2], each a 2-vector. */
  private static NDArray mhub(NDManager m, float[][][] items) {
    float[] flat = new float[items.length * 3 * 2];
    for (int i = 0; i < items.length; i++) {
      for (int r = 0; r < 3; r++) {
        flat[(i * 3 + r) * 2] = items[i][r][0];
        flat[(i * 3 + r) * 2 + 1] = items[i][r][1];
      }
    }
    return m.create(flat, new Shape(items.length, 3, 2)); // [I, Q+T, H]
  }

  private static final float[] X = {1, 0};
  private static final float[] Y = {0, 1};
  private static final float[] Z = {0, 0};

  @Test
  void retrievalPicksTheDemonstrationWhoseTextRowsPointLikeTheQueryRows() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray rows = mhub(m, new float[][][] {
          {Z, Y, Y}, {Z, X, X}, {Z, Y, Y}, {X, Z, Z}, // dialog 0: query X, demo 1 is X
          {Z, X, X}, {Z, Y, X}, {Z, Y, Y}, {Y, Z, Z}}); // dialog 1: query Y; demo 5's padding row (X) is ignored
      boolean[][] positive = {{false, true, false}, {true, false, false}};
      DialogContrast.Retrieval r = new DialogContrast(0.1).retrieval(plan(), rows, positive);
      // dialog 0 picks demo 1 (positive); dialog 1 picks demo 5 or 6 (both exactly Y), both negative
      assertEquals(1, r.hits());
      assertEquals(2, r.dialogs());
      assertEquals(0.5, r.accuracy(), 1e-12);
      assertEquals(1.0 / 3, r.chanceAccuracy(), 1e-12);
    }
  }

  @Test
  void lossIsMinusLogSoftmaxMassOnPositivesAveragedOverUsableDialogs() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray rows = mhub(m, new float[][][] {
          {Z, Y, Y}, {Z, X, X}, {Z, Y, Y}, {X, Z, Z},
          {Z, X, X}, {Z, Y, X}, {Z, Y, Y}, {Y, Z, Z}});
      boolean[][] positive = {{false, true, false}, {true, false, false}};
      double tau = 0.5;
      NDArray loss = new DialogContrast(tau).loss(plan(), rows, positive);
      // dialog 0: cosines (0, 1, 0); dialog 1: cosines (0, 1, 1), positive is the first
      double d0 = -Math.log(Math.exp(1 / tau) / (2 + Math.exp(1 / tau)));
      double d1 = -Math.log(1 / (1 + 2 * Math.exp(1 / tau)));
      assertEquals((d0 + d1) / 2, loss.getFloat(), 1e-4);
    }
  }

  @Test
  void dialogsWithoutBothKindsAreLeftOut() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray rows = mhub(m, new float[][][] {
          {Z, Y, Y}, {Z, X, X}, {Z, Y, Y}, {X, Z, Z},
          {Z, X, X}, {Z, Y, X}, {Z, Y, Y}, {Y, Z, Z}});
      DialogContrast c = new DialogContrast(0.1);
      boolean[][] onlyFirst = {{false, true, false}, {true, true, true}};
      DialogContrast.Retrieval r = c.retrieval(plan(), rows, onlyFirst);
      assertEquals(1, r.dialogs());
      assertEquals(1, r.hits());
      boolean[][] none = {{true, true, true}, {false, false, false}};
      assertNull(c.loss(plan(), rows, none));
      assertEquals(0, c.retrieval(plan(), rows, none).dialogs());
    }
  }

  @Test
  void positiveFlagsMustMatchTheDemonstrations() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray rows = m.zeros(new Shape(8, 3, 2));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> new DialogContrast(0.1).retrieval(plan(), rows, new boolean[][] {{true}, {true, false, false}}));
      assertTrue(e.getMessage().contains("dialog 0"), e.getMessage());
    }
  }
}
