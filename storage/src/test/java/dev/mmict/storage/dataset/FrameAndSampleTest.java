package dev.mmict.storage.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FrameAndSampleTest {

  @Test
  void frameRejectsWrongPixelCountAndSaysWhatItExpected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Frame(3, 4, 5, new float[59]));
    assertTrue(e.getMessage().contains("3×4×5 = 60"), e.getMessage());
    assertTrue(e.getMessage().contains("got 59"), e.getMessage());
  }

  @Test
  void frameIndexesChannelMajor() {
    float[] p = new float[2 * 2 * 3];
    p[(1 * 2 + 1) * 3 + 2] = 0.5f; // c=1, y=1, x=2
    Frame f = new Frame(2, 2, 3, p);
    assertEquals(0.5f, f.at(1, 1, 2));
    assertEquals(0f, f.at(0, 1, 2));
  }

  @Test
  void framesCompareByValue() {
    Frame a = new Frame(1, 1, 2, new float[] {0.1f, 0.2f});
    assertEquals(a, new Frame(1, 1, 2, new float[] {0.1f, 0.2f}));
    assertEquals(a.hashCode(), new Frame(1, 1, 2, new float[] {0.1f, 0.2f}).hashCode());
    assertNotEquals(a, new Frame(1, 2, 1, new float[] {0.1f, 0.2f}));
    assertNotEquals(a, new Frame(1, 1, 2, new float[] {0.1f, 0.3f}));
  }

  @Test
  void sampleRejectsMixedFrameSizesAndATargetMissingFromAnswers() {
    Frame small = new Frame(1, 1, 1, new float[1]);
    Frame big = new Frame(1, 2, 1, new float[2]);
    assertThrows(IllegalArgumentException.class,
        () -> new Sample("x", null, true, List.of(small, big), "t", "p", "a", List.of("a")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Sample("x", null, true, List.of(small), "t", "p", "a", List.of("b")));
    assertTrue(e.getMessage().contains("'a'"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new Sample("x", null, true, List.of(), "t", "p", "a", List.of("a")));
  }
}
