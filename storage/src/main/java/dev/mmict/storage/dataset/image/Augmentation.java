package dev.mmict.storage.dataset.image;

import java.util.SplittableRandom;

/**
 * Training-time random resized crop and horizontal flip (as in Inception / torchvision's
 * RandomResizedCrop): a box covering a random fraction of the picture's area with a random
 * aspect ratio, later resized to the model's square input.
 *
 * @param minScale smallest fraction of the picture's area the box covers, in (0, 1]
 * @param maxScale largest fraction, in [minScale, 1]
 * @param minRatio smallest box width / height, &gt; 0
 * @param maxRatio largest box width / height, ≥ minRatio
 * @param flip whether to mirror left to right with probability ½
 */
public record Augmentation(
    double minScale, double maxScale, double minRatio, double maxRatio, boolean flip) {

  /** The usual setting: 8 %–100 % of the area, ratio 3/4–4/3, flips. */
  public static final Augmentation STANDARD = new Augmentation(0.08, 1.0, 3.0 / 4, 4.0 / 3, true);

  /** How often a box is drawn before falling back to the centre crop. */
  private static final int ATTEMPTS = 10;

  /** Checks the ranges. */
  public Augmentation {
    if (!(minScale > 0 && minScale <= maxScale && maxScale <= 1)) {
      throw new IllegalArgumentException(
          "Augmentation scale needs 0 < min ≤ max ≤ 1, got [" + minScale + ", " + maxScale + "]");
    }
    if (!(minRatio > 0 && minRatio <= maxRatio && Double.isFinite(maxRatio))) {
      throw new IllegalArgumentException(
          "Augmentation ratio needs 0 < min ≤ max, got [" + minRatio + ", " + maxRatio + "]");
    }
  }

  /** What one draw decided: the crop and whether to mirror. */
  public record Draw(CropBox box, boolean flip) {}

  /**
   * One draw for a {@code width}×{@code height} picture (or every frame of a clip of that size).
   * After {@value #ATTEMPTS} boxes that do not fit, the centred box of the nearest allowed ratio.
   */
  public Draw draw(SplittableRandom random, int width, int height) {
    double area = (double) width * height;
    double logLo = Math.log(minRatio);
    double logHi = Math.log(maxRatio);
    CropBox box = null;
    for (int attempt = 0; attempt < ATTEMPTS && box == null; attempt++) {
      double target = area * uniform(random, minScale, maxScale);
      double ratio = Math.exp(uniform(random, logLo, logHi));
      int w = (int) Math.round(Math.sqrt(target * ratio));
      int h = (int) Math.round(Math.sqrt(target / ratio));
      if (w >= 1 && h >= 1 && w <= width && h <= height) {
        int x = random.nextInt(width - w + 1);
        int y = random.nextInt(height - h + 1);
        box = new CropBox((double) x / width, (double) y / height, (double) w / width,
            (double) h / height);
      }
    }
    if (box == null) {
      box = fallback(width, height);
    }
    boolean mirrored = flip && random.nextBoolean();
    return new Draw(box, mirrored);
  }

  private CropBox fallback(int width, int height) {
    double ratio = (double) width / height;
    int w = width;
    int h = height;
    if (ratio < minRatio) {
      h = Math.max(1, (int) Math.round(width / minRatio));
    } else if (ratio > maxRatio) {
      w = Math.max(1, (int) Math.round(height * maxRatio));
    }
    double fw = (double) w / width;
    double fh = (double) h / height;
    return new CropBox((1 - fw) / 2, (1 - fh) / 2, fw, fh);
  }

  private static double uniform(SplittableRandom random, double lo, double hi) {
    return lo == hi ? lo : lo + (hi - lo) * random.nextDouble();
  }
}
