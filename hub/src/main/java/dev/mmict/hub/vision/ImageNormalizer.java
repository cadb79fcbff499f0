package dev.mmict.hub.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Normalises RGB pixels in [0, 1] with the CLIP mean and standard deviation that BLIP-2's
 * image processors use: {@code (x - mean[c]) / std[c]} per channel.
 */
public final class ImageNormalizer {
  /** CLIP per-channel mean (R, G, B). */
  public static final float[] CLIP_MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
  /** CLIP per-channel standard deviation (R, G, B). */
  public static final float[] CLIP_STD = {0.26862954f, 0.26130258f, 0.27577711f};

  private ImageNormalizer() { }

  /**
   * Normalises one image in place.
   *
   * @param chw channel-major pixels [3, height, width] in [0, 1]
   * @return {@code chw}, normalised
   */
  public static float[] normalizeInPlace(float[] chw, int height, int width) {
    int plane = height * width;
    if (chw.length != 3 * plane) {
      throw new IllegalArgumentException("ImageNormalizer: expected 3×" + height + "×" + width
          + " = " + 3 * plane + " values, got " + chw.length);
    }
    for (int c = 0; c < 3; c++) {
      float mean = CLIP_MEAN[c];
      float inv = 1f / CLIP_STD[c];
      for (int i = c * plane; i < (c + 1) * plane; i++) {
        chw[i] = (chw[i] - mean) * inv;
      }
    }
    return chw;
  }

  /**
   * Normalises pixels whose channel axis is third from the end.
   *
   * @param pixels [..., 3, height, width] in [0, 1]
   * @return [..., 3, height, width], normalised (a new array)
   */
  public static NDArray normalize(NDArray pixels) {
    Shape s = pixels.getShape();
    if (s.dimension() < 3 || s.get(s.dimension() - 3) != 3) {
      throw new IllegalArgumentException(
          "ImageNormalizer: expected [..., 3, height, width] pixels, got shape " + s);
    }
    NDArray mean = pixels.getManager().create(CLIP_MEAN, new Shape(3, 1, 1)); // [3, 1, 1]
    NDArray std = pixels.getManager().create(CLIP_STD, new Shape(3, 1, 1)); // [3, 1, 1]
    NDArray out = pixels.sub(mean).div(std); // [..., 3, height, width]
    mean.close();
    std.close();
    return out;
  }
}
