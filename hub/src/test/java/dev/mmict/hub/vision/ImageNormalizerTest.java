package dev.mmict.hub.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class ImageNormalizerTest {

  @Test
  void appliesClipMeanAndStdPerChannel() {
    // 3 channels × 1 × 2 pixels; expectations computed by hand from the CLIP constants.
    float[] chw = {1f, 1f, 0f, 0f, 0.5f, 0.5f};
    ImageNormalizer.normalizeInPlace(chw, 1, 2);
    assertEquals(1.9303363, chw[0], 1e-5); // (1 - 0.48145466) / 0.26862954
    assertEquals(-1.7520971, chw[2], 1e-5); // (0 - 0.4578275) / 0.26130258
    assertEquals(0.3328386, chw[5], 1e-5); // (0.5 - 0.40821073) / 0.27577711
  }

  @Test
  void ndArrayVersionMatchesArrayVersionOnABatch() {
    float[] raw = new float[2 * 3 * 2 * 2];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = (i * 37 % 23) / 22f;
    }
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray out = ImageNormalizer.normalize(m.create(raw, new Shape(2, 3, 2, 2)));
      float[] expect = new float[raw.length];
      for (int b = 0; b < 2; b++) {
        float[] one = java.util.Arrays.copyOfRange(raw, b * 12, b * 12 + 12);
        System.arraycopy(ImageNormalizer.normalizeInPlace(one, 2, 2), 0, expect, b * 12, 12);
      }
      assertEquals(new Shape(2, 3, 2, 2), out.getShape());
      assertArrayEquals(expect, out.toFloatArray(), 1e-5f);
    }
  }

  @Test
  void rejectsWrongChannelCount() {
    try (NDManager m = NDManager.newBaseManager()) {
      assertThrows(IllegalArgumentException.class,
          () -> ImageNormalizer.normalize(m.zeros(new Shape(1, 4, 2, 2))));
    }
    assertThrows(IllegalArgumentException.class,
        () -> ImageNormalizer.normalizeInPlace(new float[11], 2, 2));
  }
}
