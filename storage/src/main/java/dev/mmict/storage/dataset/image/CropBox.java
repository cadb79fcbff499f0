package dev.mmict.storage.dataset.image;

/**
 * A rectangle of a picture as fractions of its width and height, so that one crop drawn for a
 * clip applies to every frame even if frame sizes differ by a pixel.
 *
 * @param x left edge, fraction of the width, in [0, 1)
 * @param y top edge, fraction of the height, in [0, 1)
 * @param width fraction of the width, in (0, 1 − x]
 * @param height fraction of the height, in (0, 1 − y]
 */
public record CropBox(double x, double y, double width, double height) {

  private static final double SLACK = 1e-9;

  /** The whole picture. */
  public static final CropBox FULL = new CropBox(0, 0, 1, 1);

  /** Checks that the box lies inside the picture. */
  public CropBox {
    if (!(x >= 0 && y >= 0 && width > 0 && height > 0
        && x + width <= 1 + SLACK && y + height <= 1 + SLACK)) {
      throw new IllegalArgumentException(
          "Crop box outside the picture: x=" + x + ", y=" + y + ", width=" + width
              + ", height=" + height + " (fractions; need x, y ≥ 0, sizes > 0, x + width ≤ 1,"
              + " y + height ≤ 1)");
    }
  }

  /** The largest centred square of a {@code width}×{@code height} picture. */
  public static CropBox centreSquare(int width, int height) {
    int side = Math.min(width, height);
    double w = (double) side / width;
    double h = (double) side / height;
    return new CropBox((1 - w) / 2, (1 - h) / 2, w, h);
  }
}
