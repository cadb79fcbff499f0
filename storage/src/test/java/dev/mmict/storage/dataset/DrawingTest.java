package dev.mmict.storage.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.mmict.storage.dataset.draw.Canvas;
import dev.mmict.storage.dataset.draw.Motion;
import dev.mmict.storage.dataset.draw.Placement;
import dev.mmict.storage.dataset.draw.Region;
import dev.mmict.storage.dataset.draw.ShapeKind;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DrawingTest {

  private static final int S = 64;
  private static final double D = 40; // r = 20 px: areas below are in units of r² = 400 px²

  private static boolean[] mask(ShapeKind kind) {
    Canvas c = new Canvas(S, new float[] {0, 0, 0});
    c.paintShape(kind, S / 2.0, S / 2.0, D, new float[] {1, 1, 1});
    Frame f = c.toFrame();
    boolean[] m = new boolean[S * S];
    for (int i = 0; i < S * S; i++) {
      m[i] = f.pixels()[i] > 0.5f;
    }
    return m;
  }

  private static int count(boolean[] m) {
    int n = 0;
    for (boolean b : m) {
      n += b ? 1 : 0;
    }
    return n;
  }

  @Test
  void shapesCoverTheirHandComputedAreas() {
    double r2 = (D / 2) * (D / 2);
    assertArea(ShapeKind.CIRCLE, Math.PI * r2);
    assertArea(ShapeKind.SQUARE, 1.64 * 1.64 * r2);
    assertArea(ShapeKind.DIAMOND, 2 * r2);
    assertArea(ShapeKind.RING, Math.PI * (1 - 0.55 * 0.55) * r2);
    assertArea(ShapeKind.TRIANGLE, 0.5 * 1.9 * 1.7 * r2);
    // Cross: two 0.6 × 1.9 bars overlapping in a 0.6 × 0.6 square.
    assertArea(ShapeKind.CROSS, (2 * 0.6 * 1.9 - 0.36) * r2);
    // Star with outer radius 1, inner 0.45: ten triangles of area ½·1·0.45·sin 36°.
    assertArea(ShapeKind.STAR, 10 * 0.5 * 0.45 * Math.sin(Math.PI / 5) * r2);
    assertTrue(count(mask(ShapeKind.CIRCLE)) > count(mask(ShapeKind.SQUARE)));
  }

  private static void assertArea(ShapeKind kind, double expected) {
    int n = count(mask(kind));
    assertEquals(expected, n, expected * 0.05, kind + " covers " + n + " px");
  }

  @Test
  void everyPairOfShapesDiffersInManyPixels() {
    ShapeKind[] kinds = ShapeKind.values();
    for (int a = 0; a < kinds.length; a++) {
      for (int b = a + 1; b < kinds.length; b++) {
        boolean[] ma = mask(kinds[a]);
        boolean[] mb = mask(kinds[b]);
        int diff = 0;
        int union = 0;
        for (int i = 0; i < ma.length; i++) {
          diff += ma[i] != mb[i] ? 1 : 0;
          union += ma[i] || mb[i] ? 1 : 0;
        }
        assertTrue(diff > 0.2 * union, kinds[a] + " vs " + kinds[b] + ": " + diff + "/" + union);
      }
    }
  }

  @Test
  void placementKeepsMovingObjectsInsideAndMovesThemTheRightWay() {
    SplittableRandom random = new SplittableRandom(7);
    for (Motion m : Motion.values()) {
      for (int trial = 0; trial < 200; trial++) {
        double[][] c = Placement.centres(32, 12, Region.ANYWHERE, m, 4, 0.1, random);
        for (double[] p : c) {
          assertTrue(p[0] >= 6 - 1e-9 && p[0] <= 26 + 1e-9, "x " + p[0]);
          assertTrue(p[1] >= 6 - 1e-9 && p[1] <= 26 + 1e-9, "y " + p[1]);
        }
        assertEquals(m.dx * 3.2 * 3, c[3][0] - c[0][0], 1e-9);
        assertEquals(m.dy * 3.2 * 3, c[3][1] - c[0][1], 1e-9);
      }
    }
  }

  @Test
  void regionsPutCentresWhereTheirWordsSay() {
    SplittableRandom random = new SplittableRandom(3);
    for (int i = 0; i < 100; i++) {
      assertTrue(Placement.centres(32, 10, Region.LEFT, null, 1, 0, random)[0][0] < 16);
      assertTrue(Placement.centres(32, 10, Region.RIGHT, null, 1, 0, random)[0][0] > 16);
      assertTrue(Placement.centres(32, 10, Region.TOP, null, 1, 0, random)[0][1] < 16);
      assertTrue(Placement.centres(32, 10, Region.BOTTOM, null, 1, 0, random)[0][1] > 16);
    }
  }

  @Test
  void greyPaintingScalesAndTints() {
    byte[] grey = new byte[4]; // 2×2: only the top-left pixel opaque
    grey[0] = (byte) 255;
    Canvas c = new Canvas(8, new float[] {0, 0, 0});
    c.paintGrey(grey, 0, 2, 2, 4, 4, 8, new float[] {1, 0.5f, 0});
    Frame f = c.toFrame();
    // Canvas pixel (1, 1) samples source point (-0.125, -0.125): bilinear weight 0.875² on the
    // opaque pixel, the rest on transparent outside.
    double alpha = 0.875 * 0.875;
    assertEquals(alpha, f.at(0, 1, 1), 1e-6);
    assertEquals(alpha * 0.5, f.at(1, 1, 1), 1e-6);
    assertEquals(0f, f.at(2, 1, 1), 1e-6);
    assertEquals(0f, f.at(0, 7, 7), 1e-6);
  }
}
