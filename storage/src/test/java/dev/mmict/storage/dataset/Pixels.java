package dev.mmict.storage.dataset;

import dev.mmict.storage.dataset.task.TaskSpec;
import java.util.Map;

/** Test helpers that read a rendered object back from its pixels. */
final class Pixels {

  private Pixels() {}

  /** Number of pixels exactly of colour {@code rgb} (objects are painted unblended, noise-free). */
  static int count(Frame f, TaskSpec.Rgb rgb) {
    float[] c = rgb.toFloats();
    int plane = f.height() * f.width();
    int n = 0;
    for (int i = 0; i < plane; i++) {
      if (f.pixels()[i] == c[0] && f.pixels()[plane + i] == c[1] && f.pixels()[2 * plane + i] == c[2]) {
        n++;
      }
    }
    return n;
  }

  /** The palette colour with the most pixels in {@code f}. */
  static String dominantColour(Frame f, Map<String, TaskSpec.Rgb> palette) {
    String best = null;
    int bestCount = -1;
    for (Map.Entry<String, TaskSpec.Rgb> e : palette.entrySet()) {
      int n = count(f, e.getValue());
      if (n > bestCount) {
        best = e.getKey();
        bestCount = n;
      }
    }
    return best;
  }

  /** Mean {x, y} of the pixels of colour {@code rgb}. */
  static double[] centroid(Frame f, TaskSpec.Rgb rgb) {
    float[] c = rgb.toFloats();
    int plane = f.height() * f.width();
    double sx = 0;
    double sy = 0;
    int n = 0;
    for (int i = 0; i < plane; i++) {
      if (f.pixels()[i] == c[0] && f.pixels()[plane + i] == c[1] && f.pixels()[2 * plane + i] == c[2]) {
        sx += i % f.width();
        sy += i / f.width();
        n++;
      }
    }
    return new double[] {sx / n, sy / n};
  }
}
