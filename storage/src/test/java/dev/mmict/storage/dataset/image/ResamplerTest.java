package dev.mmict.storage.dataset.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.mmict.storage.dataset.Frame;
import org.junit.jupiter.api.Test;

class ResamplerTest {

  private static Frame row(float... values) {
    return new Frame(1, 1, values.length, values.clone());
  }

  @Test
  void upscalingInterpolatesBetweenPixelCentres() {
    // Output centres 0.25, 0.75, 1.25, 1.75 against input centres 0.5 and 1.5.
    Frame out = Resampler.resample(row(0f, 1f), CropBox.FULL, 1, 4);
    assertArrayEquals(new float[] {0f, 0.25f, 0.75f, 1f}, out.pixels(), 1e-6f);
  }

  @Test
  void downscalingWidensTheTriangle() {
    // Scale 2: output 0 (centre 1.0) weighs inputs 0, 1, 2 by 0.75, 0.75, 0.25;
    // output 1 (centre 3.0) weighs inputs 1, 2, 3 by 0.25, 0.75, 0.75.
    Frame out = Resampler.resample(row(0f, 1f, 2f, 3f), CropBox.FULL, 1, 2);
    assertArrayEquals(new float[] {1.25f / 1.75f, 4f / 1.75f}, out.pixels(), 1e-6f);
  }

  @Test
  void sameSizeIsIdentityAndCropAtScaleOneCopiesPixels() {
    float[] values = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
    Frame f = new Frame(1, 2, 3, values.clone());
    assertArrayEquals(values, Resampler.resample(f, CropBox.FULL, 2, 3).pixels(), 1e-7f);
    Frame right = Resampler.resample(row(0f, 1f, 2f, 3f), new CropBox(0.5, 0, 0.5, 1), 1, 2);
    assertArrayEquals(new float[] {2f, 3f}, right.pixels(), 1e-6f);
  }

  @Test
  void constantStaysConstantInEveryChannelAtEveryScale() {
    int h = 7;
    int w = 11;
    float[] px = new float[3 * h * w];
    for (int c = 0; c < 3; c++) {
      java.util.Arrays.fill(px, c * h * w, (c + 1) * h * w, 0.2f * (c + 1));
    }
    Frame f = new Frame(3, h, w, px);
    for (int size : new int[] {1, 3, 5, 20}) {
      Frame out = Resampler.resample(f, new CropBox(0.1, 0.2, 0.7, 0.5), size, size);
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < size; y++) {
          for (int x = 0; x < size; x++) {
            assertEquals(0.2f * (c + 1), out.at(c, y, x), 1e-6f);
          }
        }
      }
    }
  }

  @Test
  void verticalPassUsesTheRightRows() {
    // A column 0, 1, 2, 3 (4×1) downscaled to 2 rows: same weights as the horizontal case.
    Frame col = new Frame(2, 4, 1, new float[] {0f, 1f, 2f, 3f, 3f, 2f, 1f, 0f});
    Frame out = Resampler.resample(col, CropBox.FULL, 2, 1);
    assertArrayEquals(new float[] {1.25f / 1.75f, 4f / 1.75f, 4f / 1.75f, 1.25f / 1.75f},
        out.pixels(), 1e-6f);
  }

  @Test
  void flipMirrorsEachRowOfEachChannel() {
    Frame f = new Frame(2, 1, 3, new float[] {1, 2, 3, 4, 5, 6});
    assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4}, Resampler.flipHorizontal(f).pixels());
  }

  @Test
  void centreSquareAndBoxChecks() {
    CropBox wide = CropBox.centreSquare(6, 4);
    assertArrayEquals(new double[] {1.0 / 6, 0, 4.0 / 6, 1},
        new double[] {wide.x(), wide.y(), wide.width(), wide.height()}, 1e-12);
    assertEquals(new CropBox(0, 0.25, 1, 0.5), CropBox.centreSquare(2, 4));
    assertThrows(IllegalArgumentException.class, () -> new CropBox(0.6, 0, 0.5, 1));
    assertThrows(IllegalArgumentException.class, () -> new CropBox(0, 0, 0, 1));
  }
}
