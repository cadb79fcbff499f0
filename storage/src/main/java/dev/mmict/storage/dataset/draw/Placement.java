package dev.mmict.storage.dataset.draw;

import java.util.random.RandomGenerator;

/**
 * Chooses an object's centre in every frame: inside its {@link Region}, and, for a moving
 * object, along a straight path that keeps the whole object inside the picture in every frame.
 */
public final class Placement {

  private Placement() {}

  /**
   * Centres in pixels, one {x, y} pair per frame.
   *
   * @param imageSize picture side S in pixels
   * @param diameter object extent d in pixels, at most S
   * @param region where the first frame's centre lies
   * @param motion direction of travel, or null for a still object
   * @param frames number of frames F ≥ 1
   * @param step travel per frame as a fraction of S
   */
  public static double[][] centres(
      int imageSize,
      double diameter,
      Region region,
      Motion motion,
      int frames,
      double step,
      RandomGenerator random) {
    double lo = diameter / 2;
    double span = imageSize - diameter; // free travel of the centre along one axis
    double travel = motion == null ? 0 : step * imageSize * (frames - 1);
    if (span < 0 || travel > span + 1e-9) {
      throw new IllegalArgumentException(
          "an object of " + diameter + " px travelling " + travel + " px does not fit in "
              + imageSize + " px");
    }
    double x = lo + span * uniform(random, region.xMin, region.xMax);
    double y = lo + span * uniform(random, region.yMin, region.yMax);
    if (motion != null) {
      // Along the motion axis the start is drawn from where the whole path fits.
      double start = lo + (span - travel) * random.nextDouble();
      if (motion.dx != 0) {
        x = motion.dx > 0 ? start : start + travel;
      } else {
        y = motion.dy > 0 ? start : start + travel;
      }
    }
    double[][] out = new double[frames][2];
    double perFrame = motion == null ? 0 : step * imageSize;
    for (int f = 0; f < frames; f++) {
      out[f][0] = x + (motion == null ? 0 : motion.dx * perFrame * f);
      out[f][1] = y + (motion == null ? 0 : motion.dy * perFrame * f);
    }
    return out;
  }

  private static double uniform(RandomGenerator random, double min, double max) {
    return min + (max - min) * random.nextDouble();
  }
}
