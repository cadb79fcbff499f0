package dev.mmict.storage.dataset;

import java.util.Arrays;

/**
 * One image (or one video frame) as channel-major floats in [0, 1]; normalising to a model's
 * mean and standard deviation is the model's job.
 *
 * <p>Shape letters: C channels, H height, W width; {@code pixels} is laid out [C, H, W], so the
 * value of channel c at row y, column x is {@code pixels[(c * height + y) * width + x]}. The
 * array is not copied (frames are made by the million): whoever builds a frame hands the array
 * over and must not change it afterwards.
 *
 * @param channels C, at least 1
 * @param height H, at least 1
 * @param width W, at least 1
 * @param pixels C·H·W floats, [C, H, W]
 */
public record Frame(int channels, int height, int width, float[] pixels) {

  /** Checks the dimensions against the pixel count. */
  public Frame {
    if (channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException(
          "Frame dimensions must be positive, got channels=" + channels + ", height=" + height
              + ", width=" + width);
    }
    if (pixels == null) {
      throw new IllegalArgumentException("Frame pixels must not be null");
    }
    long expected = (long) channels * height * width;
    if (pixels.length != expected) {
      throw new IllegalArgumentException(
          "Frame pixels: expected " + channels + "×" + height + "×" + width + " = " + expected
              + " floats [C, H, W], got " + pixels.length);
    }
  }

  /** Returns the value of channel {@code c} at row {@code y}, column {@code x}. */
  public float at(int c, int y, int x) {
    return pixels[(c * height + y) * width + x];
  }

  /** Compares dimensions and pixel values (a record would compare array identity). */
  @Override
  public boolean equals(Object other) {
    return other instanceof Frame f
        && f.channels == channels
        && f.height == height
        && f.width == width
        && Arrays.equals(f.pixels, pixels);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * (31 * channels + height) + width) + Arrays.hashCode(pixels);
  }

  /** Dimensions only: thousands of floats help nobody in a log line. */
  @Override
  public String toString() {
    return "Frame[" + channels + "×" + height + "×" + width + "]";
  }
}
